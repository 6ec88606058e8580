using System.Buffers.Binary;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>Test-side access to the packets of a TS file, to corrupt them on purpose (ISO/IEC 13818-1 section 2.4.3.2).</summary>
internal static class TsBytes
{
    public const int PacketSize = 188;

    public static int Count(byte[] ts) => ts.Length / PacketSize;

    public static Span<byte> Packet(byte[] ts, int index) => ts.AsSpan(index * PacketSize, PacketSize);

    public static int Pid(ReadOnlySpan<byte> packet) => ((packet[1] & 0x1F) << 8) | packet[2];

    public static bool UnitStart(ReadOnlySpan<byte> packet) => (packet[1] & 0x40) != 0;

    public static int PayloadOffset(ReadOnlySpan<byte> packet) => (packet[3] & 0x20) != 0 ? 5 + packet[4] : 4;

    /// <summary>Indexes of the packets of <paramref name="pid"/>, in order.</summary>
    public static List<int> PacketsOf(byte[] ts, int pid) =>
        Enumerable.Range(0, Count(ts)).Where(i => Pid(Packet(ts, i)) == pid).ToList();

    /// <summary>The PMT PID of the first program, from the first PAT.</summary>
    public static int PmtPid(byte[] ts)
    {
        var pat = Packet(ts, PacketsOf(ts, 0)[0]);
        var section = pat[(PayloadOffset(pat) + 1 + pat[PayloadOffset(pat)])..];
        return ((section[10] & 0x1F) << 8) | section[11];
    }

    /// <summary>The section that starts in a unit-start PSI packet (pointer_field followed), cut at section_length.</summary>
    public static Span<byte> Section(Span<byte> packet)
    {
        var start = PayloadOffset(packet) + 1 + packet[PayloadOffset(packet)];
        var length = 3 + (((packet[start + 1] & 0x0F) << 8) | packet[start + 2]);
        return packet.Slice(start, length);
    }

    /// <summary>Rewrites the CRC of a section changed on purpose, so only the intended fault remains.</summary>
    public static void FixCrc(Span<byte> section) =>
        BinaryPrimitives.WriteUInt32BigEndian(section[^4..], Crc32Mpeg2.Compute(section[..^4]));

    /// <summary>Total size of the PES packet that starts in packet <paramref name="index"/> (through the last packet before the next unit start of its PID).</summary>
    public static int PesSize(byte[] ts, int pid, int index)
    {
        var size = 0;
        for (var i = index; i < Count(ts); i++)
        {
            var packet = Packet(ts, i);
            if (Pid(packet) != pid)
            {
                continue;
            }

            if (i != index && UnitStart(packet))
            {
                break;
            }

            size += PacketSize - PayloadOffset(packet);
        }

        return size;
    }
}
