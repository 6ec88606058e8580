using System.Buffers.Binary;

namespace OnAir.Testing;

/// <summary>One parsed transport packet (ISO/IEC 13818-1 section 2.4.3.2), written independently of the muxer's code.</summary>
public sealed record TsPacketInfo(int Index, int Pid, bool PayloadUnitStart, int ContinuityCounter, byte[]? AdaptationField, byte[] Payload)
{
    public bool RandomAccess => AdaptationField is { Length: > 1 } af && (af[1] & 0x40) != 0;

    public long? PcrBase => AdaptationField is { Length: >= 8 } af && (af[1] & 0x10) != 0
        ? ((long)BinaryPrimitives.ReadUInt32BigEndian(af.AsSpan(2)) << 1) | (uint)(af[6] >> 7)
        : null;

    public int PcrExtension => AdaptationField is { } af ? ((af[6] & 0x01) << 8) | af[7] : 0;
}

/// <summary>A reassembled PES packet with its first transport packet.</summary>
public sealed record PesInfo(TsPacketInfo First, int PacketCount, byte[] Bytes)
{
    public byte StreamId => Bytes[3];

    public int DeclaredLength => BinaryPrimitives.ReadUInt16BigEndian(Bytes.AsSpan(4));

    public int PtsDtsFlags => Bytes[7] >> 6;

    public int HeaderDataLength => Bytes[8];

    public long Pts => ReadTimestamp(Bytes.AsSpan(9));

    public long Dts => PtsDtsFlags == 3 ? ReadTimestamp(Bytes.AsSpan(14)) : Pts;

    public ReadOnlySpan<byte> Payload => Bytes.AsSpan(9 + HeaderDataLength);

    public static long ReadTimestamp(ReadOnlySpan<byte> b) =>
        ((long)(b[0] & 0x0E) << 29) | ((long)b[1] << 22) | ((long)(b[2] >> 1) << 15) | ((long)b[3] << 7) | (uint)(b[4] >> 1);
}

public static class TsReader
{
    public static List<TsPacketInfo> Packets(byte[] ts)
    {
        if (ts.Length % 188 != 0)
        {
            throw new FormatException($"{ts.Length} bytes are not whole 188-byte TS packets");
        }

        var packets = new List<TsPacketInfo>();
        for (var offset = 0; offset < ts.Length; offset += 188)
        {
            var p = ts.AsSpan(offset, 188);
            if (p[0] != 0x47)
            {
                throw new FormatException($"no sync byte at offset {offset}");
            }

            var pid = ((p[1] & 0x1F) << 8) | p[2];
            var control = (p[3] >> 4) & 0x03;
            var payloadStart = 4;
            byte[]? adaptation = null;
            if ((control & 0x02) != 0)
            {
                adaptation = p.Slice(4, 1 + p[4]).ToArray();
                payloadStart += adaptation.Length;
            }

            var payload = (control & 0x01) != 0 ? p[payloadStart..].ToArray() : [];
            packets.Add(new TsPacketInfo(offset / 188, pid, (p[1] & 0x40) != 0, p[3] & 0x0F, adaptation, payload));
        }

        return packets;
    }

    public static List<PesInfo> Pes(IEnumerable<TsPacketInfo> packets, int pid)
    {
        var result = new List<PesInfo>();
        TsPacketInfo? first = null;
        var count = 0;
        var bytes = new List<byte>();
        foreach (var packet in packets.Where(p => p.Pid == pid))
        {
            if (packet.PayloadUnitStart && first is not null)
            {
                result.Add(new PesInfo(first, count, [.. bytes]));
                bytes.Clear();
                count = 0;
            }

            if (packet.PayloadUnitStart)
            {
                first = packet;
            }

            count++;
            bytes.AddRange(packet.Payload);
        }

        if (first is not null)
        {
            result.Add(new PesInfo(first, count, [.. bytes]));
        }

        return result;
    }

    /// <summary>The PSI section in a packet that starts one (pointer_field skipped), cut at section_length.</summary>
    public static byte[] Section(TsPacketInfo packet)
    {
        if (!packet.PayloadUnitStart)
        {
            throw new FormatException($"packet {packet.Index} does not start a section");
        }

        var start = 1 + packet.Payload[0];
        var sectionLength = ((packet.Payload[start + 1] & 0x0F) << 8) | packet.Payload[start + 2];
        return packet.Payload.AsSpan(start, 3 + sectionLength).ToArray();
    }
}
