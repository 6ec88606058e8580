using System.Globalization;
using System.Text.Json;
using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>Our TS judged by the real tools: ffprobe must see the FLV's packets and timestamps, ffmpeg must decode it cleanly.</summary>
public sealed class TsMuxerToolTests : IDisposable
{
    private static readonly TimeSpan s_toolTimeout = TimeSpan.FromSeconds(60);

    private readonly TempDirectory _temp = new();

    [Fact]
    public async Task Ffprobe_sees_h264_320x240_and_aac_48k_stereo()
    {
        var ts = MuxToFile("h264-aac-320x240-2s.flv", twoSegments: true);

        using var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(ts, "-show_streams"));
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
        var audio = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "audio");

        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(320, video.GetProperty("width").GetInt32());
        Assert.Equal(240, video.GetProperty("height").GetInt32());
        Assert.Equal("0x100", video.GetProperty("id").GetString());
        Assert.Equal("aac", audio.GetProperty("codec_name").GetString());
        Assert.Equal("48000", audio.GetProperty("sample_rate").GetString());
        Assert.Equal(2, audio.GetProperty("channels").GetInt32());
        Assert.Equal("0x101", audio.GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("h264-aac-320x240-2s.flv")]
    [InlineData("aac-44100-mono.flv")]
    [InlineData("h264-854x480-main.flv")]
    public async Task Every_packet_of_the_flv_comes_back_with_its_timestamps(string vector)
    {
        var ts = MuxToFile(vector, twoSegments: true);

        var expected = await PacketTimes(TestVectors.Path(vector));
        var actual = await PacketTimes(ts);

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (kind, packets) in expected)
        {
            Assert.True(packets.Count == actual[kind].Count, $"{kind}: FLV has {packets.Count} packets, TS {actual[kind].Count}");
            for (var i = 0; i < packets.Count; i++)
            {
                Assert.True(Math.Abs(packets[i].Pts - actual[kind][i].Pts) < 0.001, $"{kind} #{i}: pts {packets[i].Pts} vs {actual[kind][i].Pts}");
                Assert.True(Math.Abs(packets[i].Dts - actual[kind][i].Dts) < 0.001, $"{kind} #{i}: dts {packets[i].Dts} vs {actual[kind][i].Dts}");
            }
        }
    }

    [Theory]
    [InlineData("h264-aac-320x240-2s.flv")]
    [InlineData("aac-44100-mono.flv")]
    [InlineData("h264-854x480-main.flv")]
    public async Task Ffmpeg_decodes_it_without_a_single_error(string vector)
    {
        var ts = MuxToFile(vector, twoSegments: true);

        var (code, _, stderr) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", ts, "-f", "null", "-"], s_toolTimeout);

        Assert.Equal(0, code);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task Audio_elementary_stream_equals_the_adts_stream_ffmpeg_writes()
    {
        const string Vector = "h264-aac-320x240-2s.flv";
        var reference = _temp.File("ffmpeg.ts");
        var (code, _, stderr) = await ExternalTool.RunAsync(
            "ffmpeg", ["-v", "error", "-y", "-i", TestVectors.Path(Vector), "-c", "copy", "-f", "mpegts", reference], s_toolTimeout);
        Assert.True(code == 0, stderr);

        // ffmpeg numbers streams from 0x100 in input order; this FLV has video first, so audio is 0x101 there too.
        // ffmpeg packs several ADTS frames into one PES, we write one per PES: compare the concatenated streams.
        var theirs = AudioElementaryStream(await File.ReadAllBytesAsync(reference));
        var ours = AudioElementaryStream(await File.ReadAllBytesAsync(MuxToFile(Vector, twoSegments: false)));

        Assert.True(ours.Length > 10_000);
        Assert.Equal(theirs, ours);
    }

    public void Dispose() => _temp.Dispose();

    private string MuxToFile(string vector, bool twoSegments)
    {
        using var frames = VectorFrames.Read(vector);
        var path = _temp.File(Path.GetFileNameWithoutExtension(vector) + (twoSegments ? "-2seg" : "") + ".ts");
        File.WriteAllBytes(path, frames.Mux(twoSegments ? frames.Frames.Count / 2 : -1));
        return path;
    }

    private static byte[] AudioElementaryStream(byte[] ts) =>
        [.. TsReader.Pes(TsReader.Packets(ts), ProgramTables.AudioPid).SelectMany(p => p.Payload.ToArray())];

    /// <summary>pts/dts in seconds per codec type, in file order; the FLV reports milliseconds, the TS 90 kHz.</summary>
    private static async Task<Dictionary<string, List<(double Pts, double Dts)>>> PacketTimes(string path)
    {
        using var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(path, "-show_packets"));
        return probe.RootElement.GetProperty("packets").EnumerateArray()
            .GroupBy(p => p.GetProperty("codec_type").GetString()!)
            .ToDictionary(g => g.Key, g => g.Select(p => (Seconds(p, "pts_time"), Seconds(p, "dts_time"))).ToList());
    }

    private static double Seconds(JsonElement packet, string field) =>
        double.Parse(packet.GetProperty(field).GetString()!, CultureInfo.InvariantCulture);
}
