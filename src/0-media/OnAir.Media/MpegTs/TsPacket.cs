using System.Buffers.Binary;

namespace OnAir.Media.MpegTs;

/// <summary>
/// The fixed 188-byte transport packet (ISO/IEC 13818-1 section 2.4.3.2) and its adaptation field
/// (section 2.4.3.4), which carries the PCR, the random access flag and the stuffing that fills
/// the last packet of a PES.
/// </summary>
internal static class TsPacket
{
    public const int Size = 188;
    public const int HeaderSize = 4;
    public const int MaxPayload = Size - HeaderSize;
    public const byte SyncByte = 0x47;

    /// <summary>Timestamps (PTS, DTS, PCR base) are 33-bit counters that wrap about every 26.5 hours.</summary>
    public const long TimestampMask = (1L << 33) - 1;

    private const int AdaptationLengthAndFlagsSize = 2;
    private const int PcrSize = 6;
    private const byte RandomAccessFlag = 0x40;
    private const byte PcrFlag = 0x10;
    private const byte Stuffing = 0xFF;

    /// <summary>Adaptation field bytes (length byte included) that the flags need before any stuffing; 0 when none is needed.</summary>
    public static int AdaptationFieldSize(bool writePcr, bool randomAccess) =>
        writePcr || randomAccess ? AdaptationLengthAndFlagsSize + (writePcr ? PcrSize : 0) : 0;

    /// <summary>
    /// Writes the packet header and an adaptation field grown with stuffing so that exactly
    /// <paramref name="payloadLength"/> payload bytes follow, and returns that payload area.
    /// Stuffing goes into the adaptation field because a PES may not be padded after its end
    /// (section 2.4.3.5: stuffing in PES-carrying packets is done by the adaptation field).
    /// </summary>
    public static Span<byte> WriteHeader(
        Span<byte> packet, int pid, bool payloadUnitStart, int continuityCounter, int payloadLength, bool writePcr, long pcrBase, bool randomAccess)
    {
        var required = AdaptationFieldSize(writePcr, randomAccess);
        if ((uint)payloadLength > MaxPayload - required || payloadLength == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, $"A packet with {required} adaptation bytes carries 1 to {MaxPayload - required} payload bytes.");
        }

        var adaptationSize = MaxPayload - payloadLength;
        packet = packet[..Size];
        packet[0] = SyncByte;
        packet[1] = (byte)((payloadUnitStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        // adaptation_field_control: 01 payload only, 11 adaptation field then payload.
        packet[3] = (byte)((adaptationSize > 0 ? 0x30 : 0x10) | (continuityCounter & 0x0F));
        if (adaptationSize > 0)
        {
            WriteAdaptationField(packet.Slice(HeaderSize, adaptationSize), writePcr, pcrBase, randomAccess);
        }

        return packet[(HeaderSize + adaptationSize)..];
    }

    private static void WriteAdaptationField(Span<byte> field, bool writePcr, long pcrBase, bool randomAccess)
    {
        field[0] = (byte)(field.Length - 1); // adaptation_field_length counts the bytes after itself
        if (field.Length == 1)
        {
            return; // a single stuffing byte: the length byte alone, no flags
        }

        field[1] = (byte)((randomAccess ? RandomAccessFlag : 0) | (writePcr ? PcrFlag : 0));
        var offset = AdaptationLengthAndFlagsSize;
        if (writePcr)
        {
            WritePcr(field.Slice(offset, PcrSize), pcrBase);
            offset += PcrSize;
        }

        field[offset..].Fill(Stuffing);
    }

    /// <summary>program_clock_reference: 33-bit base (90 kHz), 6 reserved bits, 9-bit extension (27 MHz remainder, 0 here).</summary>
    private static void WritePcr(Span<byte> destination, long pcrBase)
    {
        var value = (ulong)(pcrBase & TimestampMask);
        BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)(value >> 1));
        destination[4] = (byte)(((value & 1) << 7) | 0x7E);
        destination[5] = 0x00;
    }
}
