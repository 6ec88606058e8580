using System.Buffers.Binary;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>Writes small hand-made transport streams for the cases ffmpeg never produces (ISO/IEC 13818-1 section 2.4).</summary>
internal sealed class TsBuilder
{
    private readonly List<byte> _bytes = [];
    private readonly Dictionary<int, int> _continuity = [];

    public byte[] ToArray() => [.. _bytes];

    /// <summary>A PAT listing (program number, PMT PID) pairs.</summary>
    public static byte[] PatSection(params (int Program, int PmtPid)[] programs)
    {
        var body = new List<byte>();
        foreach (var (program, pid) in programs)
        {
            body.AddRange([(byte)(program >> 8), (byte)program, (byte)(0xE0 | (pid >> 8)), (byte)pid]);
        }

        return Section(0x00, 1, [.. body]);
    }

    /// <summary>A PMT for <paramref name="program"/> listing (stream type, PID) pairs; the first PID is the PCR PID.</summary>
    public static byte[] PmtSection(int program, params (byte StreamType, int Pid)[] streams) => PmtSection(program, 0, streams);

    public static byte[] PmtSection(int program, int version, params (byte StreamType, int Pid)[] streams)
    {
        var pcr = streams.Length > 0 ? streams[0].Pid : 0x1FFF;
        var body = new List<byte> { (byte)(0xE0 | (pcr >> 8)), (byte)pcr, 0xF0, 0x00 };
        foreach (var (type, pid) in streams)
        {
            body.AddRange([type, (byte)(0xE0 | (pid >> 8)), (byte)pid, 0xF0, 0x00]);
        }

        return Section(0x02, program, [.. body], version);
    }

    /// <summary>A long-form section with its CRC.</summary>
    public static byte[] Section(byte tableId, int extension, byte[] body, int version = 0)
    {
        var section = new byte[8 + body.Length + 4];
        var length = section.Length - 3;
        section[0] = tableId;
        section[1] = (byte)(0xB0 | (length >> 8));
        section[2] = (byte)length;
        section[3] = (byte)(extension >> 8);
        section[4] = (byte)extension;
        section[5] = (byte)(0xC1 | ((version & 0x1F) << 1));
        body.CopyTo(section, 8);
        BinaryPrimitives.WriteUInt32BigEndian(section.AsSpan(section.Length - 4), Crc32Mpeg2.Compute(section.AsSpan(0, section.Length - 4)));
        return section;
    }

    /// <summary>Sections on <paramref name="pid"/> back to back after one pointer_field, split over as many packets as needed, 0xFF after the last.</summary>
    public TsBuilder Sections(int pid, params byte[][] sections)
    {
        byte[] data = [0x00, .. sections.SelectMany(s => s)];
        return Payload(pid, data, stuffWith: 0xFF);
    }

    /// <summary>A PES with PTS (and DTS when different) around <paramref name="payload"/>; length 0 (open) unless <paramref name="declareLength"/>.</summary>
    public static byte[] Pes(byte streamId, long pts, long dts, byte[] payload, bool declareLength)
    {
        var withDts = pts != dts;
        var header = new List<byte> { 0, 0, 1, streamId, 0, 0, 0x80, (byte)(withDts ? 0xC0 : 0x80), (byte)(withDts ? 10 : 5) };
        header.AddRange(Timestamp(withDts ? 3 : 2, pts));
        if (withDts)
        {
            header.AddRange(Timestamp(1, dts));
        }

        var length = declareLength ? header.Count - 6 + payload.Length : 0;
        header[4] = (byte)(length >> 8);
        header[5] = (byte)length;
        return [.. header, .. payload];
    }

    /// <summary>A PES split into packets; the last is padded with adaptation-field stuffing, as PES packets must be.</summary>
    /// <param name="firstChunk">Bytes in the first packet (fewer than 184 puts stuffing there too, e.g. to split the PES header).</param>
    public TsBuilder PesPackets(int pid, byte[] pes, int firstChunk = 184) => Payload(pid, pes, stuffWith: null, firstChunk);

    /// <summary>Raw packets, for garbage or hand-corrupted headers.</summary>
    public TsBuilder Raw(params byte[] bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public TsBuilder Append(byte[] ts) => Raw(ts);

    private TsBuilder Payload(int pid, byte[] data, byte? stuffWith, int firstChunk = 184)
    {
        for (var offset = 0; offset < data.Length || offset == 0;)
        {
            var chunk = Math.Min(offset == 0 ? firstChunk : 184, data.Length - offset);
            var packet = new byte[188];
            var cc = _continuity.GetValueOrDefault(pid);
            _continuity[pid] = (cc + 1) & 0x0F;
            packet[0] = 0x47;
            packet[1] = (byte)((offset == 0 ? 0x40 : 0) | (pid >> 8));
            packet[2] = (byte)pid;
            var body = 4;
            if (chunk < 184 && stuffWith is null)
            {
                var adaptation = 184 - chunk; // length byte + flags + stuffing
                packet[3] = (byte)(0x30 | cc);
                packet[4] = (byte)(adaptation - 1);
                if (adaptation > 1)
                {
                    packet[5] = 0x00;
                    packet.AsSpan(6, adaptation - 2).Fill(0xFF);
                }

                body += adaptation;
            }
            else
            {
                packet[3] = (byte)(0x10 | cc);
                packet.AsSpan(4).Fill(stuffWith ?? 0xFF);
            }

            data.AsSpan(offset, chunk).CopyTo(packet.AsSpan(body));
            _bytes.AddRange(packet);
            offset += chunk;
            if (chunk == 0)
            {
                break;
            }
        }

        return this;
    }

    private static byte[] Timestamp(int prefix, long value) =>
    [
        (byte)((prefix << 4) | (int)((value >> 29) & 0x0E) | 1),
        (byte)(value >> 22),
        (byte)(((value >> 14) & 0xFE) | 1),
        (byte)(value >> 7),
        (byte)(((value << 1) & 0xFE) | 1),
    ];
}
