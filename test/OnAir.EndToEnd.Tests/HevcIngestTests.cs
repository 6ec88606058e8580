using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// H.265 over Enhanced RTMP, as OBS 30+ publishes it: the source passes through to HLS as H.265
/// (fMP4 <c>hvc1</c>, or MPEG-TS stream type 0x24) and the ladder is made from it in H.264.
/// ffmpeg 5.1 cannot publish Enhanced RTMP, so the test client sends x265's output itself.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // as TranscodingTests, whose helper it uses
public class HevcIngestTests
{
    [Fact]
    public async Task An_hevc_publisher_is_watched_in_hevc_at_source_and_in_h264_down_the_ladder()
    {
        var tags = await HevcTagsAsync(seconds: 6);
        await using var server = await OnAirServer.StartAsync();
        await using var client = await PublishAsync(server, "hevc", tags);

        var master = await TranscodingTests.WaitForMasterAsync(server, "hevc", variants: 2);
        Assert.Equal(["source/playlist.m3u8", "360p/playlist.m3u8"], master.Select(v => v.Uri));
        Assert.Equal("854x480", master[0].Attributes["RESOLUTION"]);
        Assert.Matches("^hvc1\\.1\\.6\\.L[0-9]+(\\.[0-9A-F]{1,2})*,mp4a\\.40\\.2$", master[0].Attributes["CODECS"]);
        Assert.Matches("^avc1\\.[0-9a-f]{6},mp4a\\.40\\.2$", master[1].Attributes["CODECS"]);

        await AssertFirstSegmentDecodesAsync(server, "hevc", "source", "hevc", 854, 480);
        await AssertFirstSegmentDecodesAsync(server, "hevc", "360p", "h264", 640, 360);
        Assert.True(server.Logs.Contains("hvc1.1.6.L"), "the publisher's codec is logged as configured");
    }

    [Fact]
    public async Task Hevc_goes_into_mpeg_ts_segments_too()
    {
        var tags = await HevcTagsAsync(seconds: 4);
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.LlHls = false;
            o.Hls.SegmentFormat = "ts";
        });
        await using var client = await PublishAsync(server, "hevc-ts", tags);

        await AssertFirstSegmentDecodesAsync(server, "hevc-ts", "source", "hevc", 854, 480);
    }

    [Fact]
    public async Task An_hevc_srt_publisher_is_watched_in_hevc()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.SrtUrl("hevc-srt"), seconds: 30, format: "mpegts", videoCodec: "libx265");

        await AssertFirstSegmentDecodesAsync(server, "hevc-srt", "source", "hevc", 320, 240);
        var master = await server.Http.GetStringAsync(server.MasterUri("hevc-srt"));
        Assert.Matches("CODECS=\"hvc1\\.1\\.6\\.L[0-9]+[^\"]*,mp4a\\.40\\.2\"", master);
        Assert.False(publisher.HasExited, publisher.StdErr);
    }

    /// <summary>x265's 854x480 (a keyframe a second) and AAC, as Enhanced RTMP tags.</summary>
    private static async Task<List<FlvTag>> HevcTagsAsync(int seconds)
    {
        using var directory = new TempDirectory();
        var file = directory.File("hevc.mp4");
        var (code, _, stderr) = await ExternalTool.RunAsync(
            "ffmpeg",
            ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=854x480:rate=30", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", $"{seconds}",
             "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "keyint=30:min-keyint=30:scenecut=0:log-level=none", "-tag:v", "hvc1",
             "-c:a", "aac", "-f", "mp4", file],
            TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        return EnhancedFlvTags.From(await ProbeResult.OfFileAsync(file));
    }

    private static async Task<RtmpTestClient> PublishAsync(OnAirServer server, string key, List<FlvTag> tags)
    {
        var client = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort);
        await client.HandshakeAsync();
        Assert.Equal("NetStream.Publish.Start", await client.PublishAsync(key, TimeSpan.FromSeconds(5)));
        await client.SendFlvTagsAsync(tags, 0);
        return client;
    }

    /// <summary>The rendition's first segment (behind its init segment, if any) is of the codec and size given and decodes without an error.</summary>
    private static async Task AssertFirstSegmentDecodesAsync(OnAirServer server, string name, string rendition, string codec, int width, int height)
    {
        var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri(name, rendition), p => p.Segments.Count > 0, TimeSpan.FromSeconds(30), $"a {rendition} segment");
        using var first = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri(name, rendition), playlist.Segments[0]);
        var video = (await ProbeResult.StreamsOfFileAsync(first.Path)).Video;
        Assert.NotNull(video);
        Assert.Equal((codec, width, height), (video.CodecName, video.Width, video.Height));
        var (code, _, stderr) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", first.Path, "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0 && stderr.Length == 0, $"{rendition}'s first segment does not decode cleanly: {stderr}");
    }
}
