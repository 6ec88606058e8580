using System.Globalization;
using System.Net;
using System.Text.Json;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>A real ffmpeg publisher over TCP; the HLS output read as players read it (RFC 8216 live rules), checked with ffprobe.</summary>
public class LiveHlsTests
{
    [Fact]
    public async Task Live_playlists_follow_the_RFC_8216_live_rules_then_end_with_ENDLIST()
    {
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Hls.WindowSegments = 3;
            o.Hls.SegmentRetentionSeconds = 8; // the RFC minimum for 3 x 2 s is 8 s
        });
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("demo"), seconds: 24, gopSeconds: 1);

        var first = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("demo"), p => p.Segments.Count > 0, TimeSpan.FromSeconds(15), "a first segment");
        var firstSegmentUri = new Uri(server.PlaylistUri("demo"), first.Segments[0].Uri);
        var seen = new Dictionary<long, PlaylistSegment>();
        var sequences = new List<long>();
        var peakBitsPerSecond = 0.0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            using var response = await server.Http.GetAsync(server.PlaylistUri("demo"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/vnd.apple.mpegurl", response.Content.Headers.ContentType?.MediaType);
            var playlist = MediaPlaylist.Parse(await response.Content.ReadAsStringAsync());

            Assert.False(playlist.Ended, "no ENDLIST while the publisher is live");
            Assert.Equal(2, playlist.TargetDuration);
            Assert.InRange(playlist.Segments.Count, 1, 3);
            Assert.True(sequences.Count == 0 || playlist.MediaSequence >= sequences[^1], "MEDIA-SEQUENCE never decreases");
            sequences.Add(playlist.MediaSequence);
            for (var i = 0; i < playlist.Segments.Count; i++)
            {
                var segment = playlist.Segments[i];
                var sequence = playlist.MediaSequence + i;
                Assert.True((int)Math.Round(segment.Duration, MidpointRounding.AwayFromZero) <= playlist.TargetDuration, $"EXTINF {segment.Duration} rounds above the target duration");
                Assert.NotNull(segment.ProgramDateTime);
                if (seen.TryGetValue(sequence, out var earlier))
                {
                    Assert.Equal(earlier.Uri, segment.Uri); // a sequence number always names the same segment
                    continue;
                }

                seen[sequence] = segment;
                var bytes = await server.Http.GetByteArrayAsync(new Uri(server.PlaylistUri("demo"), segment.Uri));
                Assert.True(
                    segment.Map is null ? bytes.Length > 188 && bytes.Length % 188 == 0 && bytes[0] == 0x47 : bytes.Length > 8 && bytes.AsSpan(4, 4).SequenceEqual("moof"u8),
                    "a listed segment downloads in its playlist's container (MPEG-TS, or fMP4 fragments behind EXT-X-MAP)");
                peakBitsPerSecond = Math.Max(peakBitsPerSecond, bytes.Length * 8 / segment.Duration);
            }

            await Task.Delay(HlsPoller.ReloadInterval);
        }

        Assert.True(sequences[^1] - sequences[0] >= 6, $"MEDIA-SEQUENCE grew from {sequences[0]} to {sequences[^1]} in 20 s of 2 s segments");

        // A segment that left the window is deleted once its retention has passed: disk stays bounded.
        using (var old = await server.Http.GetAsync(firstSegmentUri))
        {
            Assert.Equal(HttpStatusCode.NotFound, old.StatusCode);
        }

        var files = Directory.GetFiles(server.Options.DataDir, "*.*", SearchOption.AllDirectories).Where(f => f.EndsWith(".ts", StringComparison.Ordinal) || f.EndsWith(".m4s", StringComparison.Ordinal)).ToList();
        Assert.InRange(files.Count, 3, 3 + 8 / 2 + 2);

        // The master playlist describes the source as measured.
        var master = await server.Http.GetStringAsync(server.MasterUri("demo"));
        var attributes = ParseStreamInf(master);
        Assert.Equal("320x240", attributes["RESOLUTION"]);
        Assert.Matches("^avc1\\.[0-9a-f]{6},mp4a\\.40\\.2$", attributes["CODECS"]);
        Assert.Equal(30.0, double.Parse(attributes["FRAME-RATE"], CultureInfo.InvariantCulture), 1);
        var bandwidth = long.Parse(attributes["BANDWIDTH"], CultureInfo.InvariantCulture);
        Assert.InRange(bandwidth, peakBitsPerSecond * 0.5, peakBitsPerSecond * 2);
        Assert.Contains("source/playlist.m3u8", master);

        // ffprobe decodes a segment: right codecs, resolution and duration.
        var latest = MediaPlaylist.Parse(await server.Http.GetStringAsync(server.PlaylistUri("demo")));
        using var latestSegment = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri("demo"), latest.Segments[0]);
        var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(latestSegment.Path, "-show_streams", "-show_format"));
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        var video = streams.Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal("h264", video.GetProperty("codec_name").GetString());
        Assert.Equal(320, video.GetProperty("width").GetInt32());
        Assert.Equal(240, video.GetProperty("height").GetInt32());
        Assert.Equal("aac", streams.Single(s => s.GetProperty("codec_type").GetString() == "audio").GetProperty("codec_name").GetString());
        // fMP4 fragments keep the stream's timeline (they start at their tfdt): the segment's own duration is end minus start.
        var format = probe.RootElement.GetProperty("format");
        var duration = double.Parse(format.GetProperty("duration").GetString()!, CultureInfo.InvariantCulture)
            - (latest.Segments[0].Map is null ? 0 : double.Parse(format.GetProperty("start_time").GetString()!, CultureInfo.InvariantCulture));
        Assert.InRange(duration, latest.Segments[0].Duration - 0.1, latest.Segments[0].Duration + 0.1);

        // The publisher leaves: ENDLIST, and the last segments stay playable.
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        var ended = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("demo"), p => p.Ended, TimeSpan.FromSeconds(10), "EXT-X-ENDLIST");
        Assert.NotEmpty(ended.Segments);
        var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", server.PlaylistUri("demo").ToString(), "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.Equal(0, decode.ExitCode);
        Assert.Equal("", decode.StdErr.Trim());
    }

    [Fact]
    public async Task Two_concurrent_streams_each_get_their_own_playlists()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var a = Publisher.Ffmpeg(server.RtmpUrl("alpha"), seconds: 9);
        await using var b = Publisher.Ffmpeg(server.RtmpUrl("beta"), seconds: 9, width: 426, height: 240);

        var pa = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("alpha"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(20), "two segments of alpha");
        var pb = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("beta"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(20), "two segments of beta");
        Assert.All(pa.Segments.Concat(pb.Segments), s => Assert.True(s.Duration > 1.5));
        Assert.Contains("RESOLUTION=320x240", await server.Http.GetStringAsync(server.MasterUri("alpha")));
        Assert.Contains("RESOLUTION=426x240", await server.Http.GetStringAsync(server.MasterUri("beta")));
    }

    [Theory]
    [InlineData("rtmp2sink")] // GStreamer's own RTMP client
    [InlineData("rtmpsink")] // librtmp, the RTMP client OBS is built on
    public async Task GStreamer_publishers_produce_playable_HLS(string sink)
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.GStreamer(sink, server.RtmpUrl("gst"), seconds: 7);

        var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("gst"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(20), "two segments");
        using var first = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri("gst"), playlist.Segments[0]);
        var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(first.Path, "-show_streams"));
        var codecs = probe.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).ToList();
        Assert.Contains("h264", codecs);
        Assert.Contains("aac", codecs);
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("gst"), p => p.Ended, TimeSpan.FromSeconds(10), "EXT-X-ENDLIST");
    }

    [Fact]
    public async Task A_second_publisher_to_a_live_name_is_refused_with_BadName_and_the_first_keeps_playing()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("dup"), seconds: 12);
        var before = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("dup"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a first segment");

        await using var intruder = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort);
        await intruder.HandshakeAsync();
        Assert.Equal("NetStream.Publish.BadName", await intruder.PublishAsync("dup", TimeSpan.FromSeconds(10)));
        Assert.True(await intruder.WaitForServerCloseAsync(TimeSpan.FromSeconds(5)));

        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("dup"), p => p.MediaSequence + p.Segments.Count > before.MediaSequence + before.Segments.Count, TimeSpan.FromSeconds(10), "new segments from the first publisher");
        Assert.False(publisher.HasExited && publisher.ExitCode != 0, publisher.StdErr);
    }

    [Fact]
    public async Task With_stream_keys_configured_a_key_publishes_under_its_name_and_an_unknown_key_is_refused()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Streams.StreamKeys["s3cret-key"] = "channel1");

        await using (var stranger = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort))
        {
            await stranger.HandshakeAsync();
            Assert.Equal("NetStream.Publish.BadName", await stranger.PublishAsync("guess", TimeSpan.FromSeconds(5)));
            Assert.True(await stranger.WaitForServerCloseAsync(TimeSpan.FromSeconds(5)));
        }

        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("s3cret-key"), seconds: 5);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("channel1"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a segment under the channel name");
        using var byKey = await server.Http.GetAsync(server.PlaylistUri("s3cret-key"));
        Assert.Equal(HttpStatusCode.NotFound, byKey.StatusCode);
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains("s3cret-key", StringComparison.Ordinal) || l.Contains("guess", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unsupported_codec_is_refused_with_a_logged_reason()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("mp3"), seconds: 5, audioCodec: "libmp3lame");

        Assert.NotEqual(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        Assert.True(server.Logs.Contains("audio sound format 2 is not supported; publish H.264 or H.265 video and AAC audio"), string.Join('\n', server.Logs.Lines));
        using var health = await server.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_publisher_whose_clock_restarts_gets_a_discontinuity_not_a_broken_playlist()
    {
        await using var server = await OnAirServer.StartAsync();
        var tags = FlvFile.ReadTags(TestVectors.Path("h264-aac-320x240-2s.flv"));
        await using (var client = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort))
        {
            await client.HandshakeAsync();
            Assert.Equal("NetStream.Publish.Start", await client.PublishAsync("restart", TimeSpan.FromSeconds(5)));
            await client.SendFlvTagsAsync(tags, 0);
            await client.SendFlvTagsAsync(tags, 2000);
            await client.SendFlvTagsAsync(tags, 0); // the encoder's clock starts over
            await client.LeaveAsync(TimeSpan.FromSeconds(10));
        }

        var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("restart"), p => p.Ended, TimeSpan.FromSeconds(15), "EXT-X-ENDLIST");
        var text = await server.Http.GetStringAsync(server.PlaylistUri("restart"));
        Assert.True(playlist.Segments.Count == 3, $"{text}\n{string.Join('\n', server.Logs.Lines)}");
        Assert.Equal([false, false, true], playlist.Segments.Select(s => s.Discontinuity));
        Assert.All(playlist.Segments, s => Assert.True((int)Math.Round(s.Duration, MidpointRounding.AwayFromZero) <= playlist.TargetDuration));
        foreach (var segment in playlist.Segments)
        {
            using var download = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri("restart"), segment);
            var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", download.Path, "-f", "null", "-"], TimeSpan.FromSeconds(30));
            Assert.True(decode.StdErr.Trim().Length == 0, $"decoding {segment.Uri}: {decode.StdErr}\n{text}");
        }

        Assert.True(server.Logs.Contains("timestamps jumped"), "the jump is logged");
    }

    private static Dictionary<string, string> ParseStreamInf(string master)
    {
        var line = master.Split('\n').Single(l => l.StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal));
        var result = new Dictionary<string, string>();
        foreach (var part in System.Text.RegularExpressions.Regex.Matches(line["#EXT-X-STREAM-INF:".Length..], "([A-Z-]+)=(\"[^\"]*\"|[^,]*)").Cast<System.Text.RegularExpressions.Match>())
        {
            result[part.Groups[1].Value] = part.Groups[2].Value.Trim('"');
        }

        return result;
    }
}
