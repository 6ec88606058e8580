namespace OnAir.Media.MpegTs;

/// <summary>
/// The PES packet header (ISO/IEC 13818-1 section 2.4.3.6): read (the fields frames need: PTS, DTS
/// and where the payload is) and written (with PTS and, when it differs, DTS).
/// </summary>
internal readonly ref struct PesHeader
{
    public const byte VideoStreamId = 0xE0;
    public const byte AudioStreamId = 0xC0;

    /// <summary>Start code, stream id, length, two flag bytes, header length, PTS and DTS.</summary>
    public const int MaxSize = 19;

    /// <summary>Bytes between PES_packet_length and the payload that the length counts: two flag bytes and the header length.</summary>
    private const int OptionalHeaderFixedSize = 3;
    private const int TimestampSize = 5;

    /// <summary>Start code prefix, stream_id, PES_packet_length.</summary>
    public const int PrefixSize = 6;

    /// <summary>The prefix, two flag bytes and PES_header_data_length.</summary>
    public const int FixedSize = 9;

    private PesHeader(long pts, long dts, int payloadOffset)
    {
        Pts = pts;
        Dts = dts;
        PayloadOffset = payloadOffset;
    }

    /// <summary>33-bit presentation time, 90 kHz.</summary>
    public long Pts { get; }

    /// <summary>33-bit decode time, 90 kHz; equal to <see cref="Pts"/> when the header carries none.</summary>
    public long Dts { get; }

    public int PayloadOffset { get; }

    /// <summary>The bytes the PES packet occupies: PES_packet_length plus the prefix, or 0 when the length is left open (video).</summary>
    public static int DeclaredSize(ReadOnlySpan<byte> pes)
    {
        var length = (pes[4] << 8) | pes[5];
        return length == 0 ? 0 : PrefixSize + length;
    }

    /// <summary>True when <paramref name="pes"/> begins with the packet_start_code_prefix 00 00 01.</summary>
    public static bool HasStartCode(ReadOnlySpan<byte> pes) => pes.Length >= 3 && pes[0] == 0 && pes[1] == 0 && pes[2] == 1;

    /// <summary>
    /// Parses the header of a whole PES packet. False for a packet without the optional header
    /// (padding, private stream 2 and the like carry no media), without a PTS, or whose header
    /// runs past its end.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> pes, out PesHeader header)
    {
        header = default;
        if (pes.Length < FixedSize || !HasStartCode(pes) || (pes[6] & 0xC0) != 0x80)
        {
            return false;
        }

        var ptsDtsFlags = pes[7] >> 6;
        var payloadOffset = FixedSize + pes[8];
        var needed = FixedSize + ptsDtsFlags switch { 2 => 5, 3 => 10, _ => int.MaxValue - FixedSize };
        if (needed > payloadOffset || payloadOffset > pes.Length)
        {
            return false; // no PTS (flags 0), the forbidden flags 1, or timestamps outside the header
        }

        var pts = Timestamp33.Read(pes[9..]);
        var dts = ptsDtsFlags == 3 ? Timestamp33.Read(pes[14..]) : pts;
        header = new PesHeader(pts, dts, payloadOffset);
        return true;
    }

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
            Timestamp33.Write(destination[9..], 0x3, pts);
            Timestamp33.Write(destination[14..], 0x1, dts);
        }
        else
        {
            Timestamp33.Write(destination[9..], 0x2, pts);
        }

        return size;
    }
}
