namespace OnAir.Packaging.MpegTs;

/// <summary>The PES packet header (ISO/IEC 13818-1 section 2.4.3.6) with PTS and, when it differs, DTS.</summary>
internal static class PesHeader
{
    public const byte VideoStreamId = 0xE0;
    public const byte AudioStreamId = 0xC0;

    /// <summary>Start code, stream id, length, two flag bytes, header length, PTS and DTS.</summary>
    public const int MaxSize = 19;

    /// <summary>Bytes between PES_packet_length and the payload that the length counts: two flag bytes and the header length.</summary>
    private const int OptionalHeaderFixedSize = 3;
    private const int TimestampSize = 5;

    /// <summary>
    /// Writes the header for a payload of <paramref name="payloadLength"/> bytes and returns its size.
    /// DTS is written only when it differs from PTS (frames without reordering need only one).
    /// </summary>
    public static int Write(Span<byte> destination, byte streamId, long pts, long dts, int payloadLength)
    {
        pts &= TsPacket.TimestampMask;
        dts &= TsPacket.TimestampMask;
        var writeDts = dts != pts;
        var headerDataLength = writeDts ? 2 * TimestampSize : TimestampSize;
        var size = 9 + headerDataLength;

        destination = destination[..size];
        destination[0] = 0x00;
        destination[1] = 0x00;
        destination[2] = 0x01;
        destination[3] = streamId;

        // PES_packet_length is 16 bits; 0 means "unbounded", allowed for video only, which is the
        // only stream whose frames get that large.
        var packetLength = OptionalHeaderFixedSize + headerDataLength + payloadLength;
        if (packetLength > ushort.MaxValue)
        {
            packetLength = 0;
        }

        destination[4] = (byte)(packetLength >> 8);
        destination[5] = (byte)packetLength;
        destination[6] = 0x84; // '10' marker, not scrambled, data_alignment_indicator: the payload starts with an AUD or ADTS sync word
        destination[7] = (byte)(writeDts ? 0xC0 : 0x80); // PTS_DTS_flags
        destination[8] = (byte)headerDataLength;
        if (writeDts)
        {
            WriteTimestamp(destination[9..], 0x3, pts);
            WriteTimestamp(destination[14..], 0x1, dts);
        }
        else
        {
            WriteTimestamp(destination[9..], 0x2, pts);
        }

        return size;
    }

    /// <summary>A 33-bit timestamp in 3 + 15 + 15 bits, each part followed by a marker bit, behind a 4-bit prefix.</summary>
    private static void WriteTimestamp(Span<byte> destination, int prefix, long timestamp)
    {
        destination[0] = (byte)((prefix << 4) | (int)((timestamp >> 29) & 0x0E) | 1);
        destination[1] = (byte)(timestamp >> 22);
        destination[2] = (byte)(((timestamp >> 14) & 0xFE) | 1);
        destination[3] = (byte)(timestamp >> 7);
        destination[4] = (byte)(((timestamp << 1) & 0xFE) | 1);
    }
}
