using System.Buffers;
using System.Buffers.Binary;
using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

public sealed class ProgramTablesTests
{
    [Fact]
    public async Task Pat_and_pmt_are_byte_exact_with_ffmpegs_for_h264_plus_aac()
    {
        using var temp = new TempDirectory();
        var reference = temp.File("ffmpeg.ts");
        var (code, _, stderr) = await ExternalTool.RunAsync(
            "ffmpeg",
            ["-v", "error", "-y", "-i", TestVectors.Path("h264-aac-320x240-2s.flv"), "-c", "copy", "-f", "mpegts", reference],
            TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stderr);
        var ffmpegBytes = await File.ReadAllBytesAsync(reference);
        var ffmpegPackets = TsReader.Packets(ffmpegBytes);

        var ours = new ArrayBufferWriter<byte>();
        new TsMuxer(hasVideo: true, hasAudio: true).WriteTables(ours);

        // ffmpeg writes an SDT first (HLS has no use for it), then PAT and PMT, all with counter 0.
        // It adds no descriptors for H.264 and ADTS AAC, so the whole packets, 0xFF fill included, must match.
        var pat = ffmpegPackets.First(p => p.Pid == ProgramTables.PatPid);
        var pmt = ffmpegPackets.First(p => p.Pid == ProgramTables.PmtPid);
        Assert.Equal(ffmpegBytes.AsSpan(pat.Index * 188, 188).ToArray(), ours.WrittenSpan[..188].ToArray());
        Assert.Equal(ffmpegBytes.AsSpan(pmt.Index * 188, 188).ToArray(), ours.WrittenSpan[188..376].ToArray());
    }

    [Theory]
    [InlineData(true, true, ProgramTables.VideoPid)]
    [InlineData(true, false, ProgramTables.VideoPid)]
    [InlineData(false, true, ProgramTables.AudioPid)]
    public void Pmt_lists_the_declared_streams_and_the_pcr_pid(bool hasVideo, bool hasAudio, int expectedPcrPid)
    {
        var output = new ArrayBufferWriter<byte>();
        new TsMuxer(hasVideo, hasAudio).WriteTables(output);
        var packets = TsReader.Packets(output.WrittenSpan.ToArray());

        Assert.Equal([ProgramTables.PatPid, ProgramTables.PmtPid], packets.Select(p => p.Pid));
        var pat = TsReader.Section(packets[0]);
        Assert.Equal(0x00, pat[0]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(pat.AsSpan(3))); // transport_stream_id
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(pat.AsSpan(8))); // program_number
        Assert.Equal(ProgramTables.PmtPid, BinaryPrimitives.ReadUInt16BigEndian(pat.AsSpan(10)) & 0x1FFF);

        var pmt = TsReader.Section(packets[1]);
        Assert.Equal(0x02, pmt[0]);
        Assert.Equal(1, BinaryPrimitives.ReadUInt16BigEndian(pmt.AsSpan(3)));
        Assert.Equal(expectedPcrPid, BinaryPrimitives.ReadUInt16BigEndian(pmt.AsSpan(8)) & 0x1FFF);
        var streams = new List<(int Type, int Pid)>();
        for (var offset = 12; offset < pmt.Length - 4; offset += 5 + (BinaryPrimitives.ReadUInt16BigEndian(pmt.AsSpan(offset + 3)) & 0x0FFF))
        {
            streams.Add((pmt[offset], BinaryPrimitives.ReadUInt16BigEndian(pmt.AsSpan(offset + 1)) & 0x1FFF));
        }

        var expected = new List<(int, int)>();
        if (hasVideo)
        {
            expected.Add((0x1B, 0x100));
        }

        if (hasAudio)
        {
            expected.Add((0x0F, 0x101));
        }

        Assert.Equal(expected, streams);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void Section_crcs_verify_and_packets_are_filled_with_ff(bool hasVideo, bool hasAudio)
    {
        var output = new ArrayBufferWriter<byte>();
        new TsMuxer(hasVideo, hasAudio).WriteTables(output);

        foreach (var packet in TsReader.Packets(output.WrittenSpan.ToArray()))
        {
            Assert.Null(packet.AdaptationField);
            var section = TsReader.Section(packet);
            var body = section.AsSpan(0, section.Length - 4);
            Assert.Equal(BinaryPrimitives.ReadUInt32BigEndian(section.AsSpan(section.Length - 4)), Crc32Mpeg2.Compute(body));
            Assert.All(packet.Payload[(1 + section.Length)..], b => Assert.Equal(0xFF, b));
        }
    }

    [Fact]
    public void A_program_without_streams_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new TsMuxer(hasVideo: false, hasAudio: false));
    }
}
