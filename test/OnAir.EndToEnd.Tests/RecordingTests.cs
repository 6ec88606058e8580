using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Server;
using OnAir.Testing;
using Xunit;
using Xunit.Abstractions;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// Recording to VOD with real parts: ffmpeg publishes over RTMP, the publisher drops and comes
/// back, and the finished recording is read by ffprobe and ffmpeg as an MP4, by hls.js in Chromium
/// as VOD HLS, and fetched with range requests; a server killed mid-recording keeps what it wrote;
/// the size limit stops a recording, never the live stream.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public class RecordingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_broadcast_with_a_reconnect_becomes_one_recording_that_plays_as_mp4_and_vod_hls()
    {
        const string name = "keepme";
        await using var hooks = await HookReceiver.StartAsync();
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Lifecycle.ReconnectGraceSeconds = 20;
            o.Recording.Enabled = true;
            o.Recording.Renditions = "all";
            o.Webhooks.Urls = [hooks.Url];
        });
        var live = new LadderRecorder(server.Http, r => server.PlaylistUri(name, r));
        string[] source = ["source"];

        // About 15 s, a crash, about 15 s more: the recording holds both sessions, the pause closed up.
        await using (var first = Publisher.Ffmpeg(server.RtmpUrl(name), seconds: 120, width: 854, height: 480, gopSeconds: 1))
        {
            await live.RecordAsync(source, TimeSpan.FromSeconds(40), r => MediaSegments(r) >= 7);
            first.KillHard();
        }

        await StreamApi.WaitForAsync(server, name, s => s.State == "reconnecting", TimeSpan.FromSeconds(5), "state reconnecting");
        await using (var second = Publisher.Ffmpeg(server.RtmpUrl(name), seconds: 120, width: 854, height: 480, gopSeconds: 1))
        {
            await StreamApi.WaitForAsync(server, name, s => s.State == "live", TimeSpan.FromSeconds(10), "state live again");
            await live.RecordAsync(source, TimeSpan.FromSeconds(40), r => MediaSegments(r) >= 15);
            var recording = Assert.Single(await RecordingApi.ListAsync(server.Http));
            Assert.Equal("recording", recording.State);
            using var stillRecording = await server.Http.DeleteAsync($"api/v1/recordings/{recording.Id}");
            Assert.Equal(HttpStatusCode.Conflict, stillRecording.StatusCode);
            using var end = await server.Http.DeleteAsync($"api/v1/streams/{name}");
            Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        }

        var ready = await RecordingApi.ReadyAsync(hooks, name, s_readyTimeout);
        output.WriteLine(ready.Json.ToString());
        Assert.Equal("ready", ready.State);
        Assert.Contains("source", ready.Renditions);
        Assert.True(ready.Renditions.Count >= 2, $"every rendition of the ladder is recorded: {ready.Json}");
        Assert.True(ready.Breaks == 1 && ready.PausedSeconds > 0.1, $"the reconnect is one pause, closed up in the recording: {ready.Json}");

        // The MP4: the media both sessions published (what the live playlist listed, gaps aside), within one segment.
        var published = live.Segments["source"].Values.Where(s => !s.Listed.Gap).Sum(s => s.Listed.Duration);
        var mp4 = new Uri(server.Http.BaseAddress!, ready.Mp4!);
        var probed = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", mp4.ToString()], TimeSpan.FromSeconds(30));
        var duration = double.Parse(probed.StdOut.Trim(), CultureInfo.InvariantCulture);
        output.WriteLine($"published {published:0.000} s (live playlist), MP4 {duration:0.000} s, API {ready.DurationSeconds} s");
        Assert.True(Math.Abs(duration - published) <= 2.5,
            $"MP4 {duration:0.000} s, live playlist {published:0.000} s: more than a segment apart\n{ready.Json}\n{string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[70", StringComparison.Ordinal) || l.Contains("[40", StringComparison.Ordinal)))}");
        var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", mp4.ToString(), "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(decode.ExitCode == 0 && decode.StdErr.Trim().Length == 0, $"the MP4 decodes to the end: {decode.StdErr}");

        // The VOD playlists: one per rendition, VOD and ended, byte ranges through the whole file, no hole where the publisher paused.
        foreach (var rendition in ready.Renditions)
        {
            var playlistUri = new Uri(server.Http.BaseAddress!, $"vod/{ready.Id}/{rendition}/playlist.m3u8");
            var playlist = MediaPlaylist.Parse(await server.Http.GetStringAsync(playlistUri));
            var report = string.Join('\n', playlist.Segments.Select(s => $"{s.Duration} {s.ByteRange} disc={s.Discontinuity}"));
            Assert.Equal("VOD", playlist.PlaylistType);
            Assert.True(playlist.Ended, $"{rendition}: EXT-X-ENDLIST");
            Assert.NotNull(playlist.MapByteRange);
            Assert.Equal(0, playlist.MapByteRange!.Offset);
            // The pause is closed up: a discontinuity only where new codec parameters start a new init segment
            // (a transcoded rung that the transcoder moved to a faster preset under load).
            var segments = playlist.Segments;
            Assert.All(segments.Index().Where(s => s.Item.Discontinuity), s => Assert.True(s.Index > 0 && s.Item.MapByteRange != segments[s.Index - 1].MapByteRange, $"{rendition}: the pause is closed up, the timeline runs on\n{report}"));
            Assert.All(segments, s => Assert.True(s.Duration > 0 && Math.Round(s.Duration) <= playlist.TargetDuration, $"{rendition}: EXTINF {s.Duration} within TARGETDURATION {playlist.TargetDuration}"));
            // Ranges follow one another through the file; only the small marker of the pause, or a new init segment, lies between two.
            var expectedOffset = playlist.MapByteRange.Length;
            for (var i = 0; i < segments.Count; i++)
            {
                var newInit = i > 0 && segments[i].MapByteRange != segments[i - 1].MapByteRange ? segments[i].MapByteRange! : null;
                if (newInit is not null)
                {
                    Assert.InRange(newInit.Offset, expectedOffset, expectedOffset + 64);
                    expectedOffset = newInit.Offset + newInit.Length;
                }

                Assert.InRange(segments[i].ByteRange!.Offset, expectedOffset, expectedOffset + 64);
                expectedOffset = segments[i].ByteRange!.Offset + segments[i].ByteRange!.Length;
            }

            using var head = new HttpRequestMessage(HttpMethod.Head, new Uri(playlistUri, "media.mp4"));
            using var headResponse = await server.Http.SendAsync(head);
            Assert.Equal(expectedOffset, headResponse.Content.Headers.ContentLength);
            var recorded = playlist.Segments.Sum(s => s.Duration);
            Assert.True(recorded >= published - 2.5 && recorded <= published + 2.5,
                $"{rendition}: VOD playlist {recorded:0.000} s, live playlist {published:0.000} s\n{report}\n{ready.Json}\n{string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[70", StringComparison.Ordinal) || l.Contains("[30", StringComparison.Ordinal) || l.Contains("[40", StringComparison.Ordinal)))}");
        }

        var master = new Uri(server.Http.BaseAddress!, ready.Master!);
        var hlsDecode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", master.ToString(), "-map", "0:v:0", "-map", "0:a:0", "-f", "null", "-"], TimeSpan.FromSeconds(90));
        Assert.True(hlsDecode.ExitCode == 0, $"ffmpeg reads the VOD master: {hlsDecode.StdErr}");

        var player = await HlsJsPlayer.SwitchAsync(master, switches: 0, TimeSpan.FromSeconds(60), toEndRate: 4);
        output.WriteLine(player.Json);
        Assert.True(player.Failure is null && player.Ended, $"hls.js plays the VOD to its end: {player.Failure}\n{player.Json}");
        Assert.DoesNotContain(player.Errors, e => e.Fatal);
        Assert.InRange(player.Duration ?? 0, published - 2.5, published + 2.5);

        await AssertRangeRequestsAsync(server.Http, mp4);
        await AssertDashboardPlaysAsync(server, name, ready.Id);

        // A clip, cut at keyframes without re-encoding.
        var clip = await RecordingApi.ClipAsync(server.Http, ready.Id, start: 5, end: 11);
        Assert.Equal(ready.Id, clip.ClipOf);
        Assert.Equal("ready", clip.State);
        Assert.InRange(clip.DurationSeconds, 6, 6 + (2 * 2));
        var clipMp4 = new Uri(server.Http.BaseAddress!, clip.Mp4!).ToString();
        var firstPacket = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=flags", "-read_intervals", "%+#1", "-of", "csv=p=0", clipMp4], TimeSpan.FromSeconds(30));
        Assert.StartsWith("K", firstPacket.StdOut.Trim(), StringComparison.Ordinal);
        var clipDecode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", clipMp4, "-f", "null", "-"], TimeSpan.FromSeconds(30));
        Assert.True(clipDecode.ExitCode == 0 && clipDecode.StdErr.Trim().Length == 0, clipDecode.StdErr);

        using (var deleted = await server.Http.DeleteAsync($"api/v1/recordings/{clip.Id}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        using var gone = await server.Http.GetAsync(clip.Mp4);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task A_server_killed_mid_recording_repairs_it_at_the_next_start_and_lists_it_playable()
    {
        var dataDir = Directory.CreateTempSubdirectory("onair-crash-").FullName;
        await using var hooks = await HookReceiver.StartAsync();
        var rtmpPort = OnAirServer.FreePort();
        var httpPort = OnAirServer.FreePort();
        var environment = new Dictionary<string, string> { ["ONAIR_WEBHOOKS__URLS__0"] = hooks.Url };
        string[] args = [typeof(OnAirCli).Assembly.Location, "serve", "--rtmp-port", $"{rtmpPort}", "--http-port", $"{httpPort}", "--data-dir", dataDir, "--ladder", "passthrough", "--record", .. OnAirServer.NoUdpIngest];
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
        try
        {
            int listedBeforeKill;
            await using (var server = ChildProcess.Start("dotnet", args, environment))
            {
                await Healthz.WaitAsync(http, () => server.HasExited ? server.Output : null);
                await using var publisher = Publisher.Ffmpeg($"rtmp://127.0.0.1:{rtmpPort}/live/crashy", seconds: 60);
                var playlist = await HlsPoller.WaitForAsync(http, new Uri(http.BaseAddress!, "live/crashy/source/playlist.m3u8"), p => p.Segments.Count >= 4, TimeSpan.FromSeconds(40), "four segments");
                listedBeforeKill = playlist.Segments.Count;
                Assert.Equal("recording", Assert.Single(await RecordingApi.ListAsync(http)).State);
                server.KillHard();
            }

            await using var restarted = ChildProcess.Start("dotnet", args, environment);
            await Healthz.WaitAsync(http, () => restarted.HasExited ? restarted.Output : null);
            var repaired = await RecordingApi.ReadyAsync(hooks, "crashy", TimeSpan.FromSeconds(30));
            Assert.Equal("ready", repaired.State);
            Assert.Contains("left unfinished", restarted.Output, StringComparison.Ordinal);
            var listed = Assert.Single(await RecordingApi.ListAsync(http));
            Assert.Equal(repaired.Id, listed.Id);

            // Every segment closed before the kill is in it (the recorder cuts where the packager does, give or take the one being written).
            var mp4 = new Uri(http.BaseAddress!, repaired.Mp4!).ToString();
            var probed = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", mp4], TimeSpan.FromSeconds(30));
            var duration = double.Parse(probed.StdOut.Trim(), CultureInfo.InvariantCulture);
            output.WriteLine($"{listedBeforeKill} segments listed before the kill, recording {duration:0.000} s");
            Assert.True(duration >= ((listedBeforeKill - 1) * 2) - 0.5, $"the recording keeps what was written before the kill: {duration} s for {listedBeforeKill} segments listed");
            var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", mp4, "-f", "null", "-"], TimeSpan.FromSeconds(30));
            Assert.True(decode.ExitCode == 0 && decode.StdErr.Trim().Length == 0, decode.StdErr);
        }
        finally
        {
            Directory.Delete(dataDir, recursive: true);
        }
    }

    [Fact]
    public async Task The_size_limit_deletes_the_oldest_recordings_first_then_stops_recording_while_live_goes_on()
    {
        await using var hooks = await HookReceiver.StartAsync();
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.Recording.Enabled = true;
            o.Recording.MaxTotalMegabytes = 1;
            o.Webhooks.Urls = [hooks.Url];
        });

        // Two short, small recordings, oldest first.
        var old = new List<string>();
        foreach (var name in new[] { "older", "newer" })
        {
            await using var publisher = Publisher.Ffmpeg(server.RtmpUrl(name), seconds: 3);
            Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            old.Add((await RecordingApi.ReadyAsync(hooks, name, s_readyTimeout)).Id);
        }

        // A big one: makes room by deleting both, oldest first, then has no room left and stops; live goes on.
        await using var big = Publisher.Ffmpeg(server.RtmpUrl("big"), seconds: 120, width: 1280, height: 720);
        var stopped = await WaitForRecordingAsync(server.Http, "big", r => r.Error is not null, TimeSpan.FromSeconds(60), "the recording stopped by the size limit");
        Assert.Contains("maxTotalMegabytes", stopped.Error, StringComparison.Ordinal);
        var expired = server.Logs.Lines.Where(l => l.Contains("deleted by retention", StringComparison.Ordinal)).ToList();
        Assert.Equal(old, expired.Select(l => old.Single(id => l.Contains(id, StringComparison.Ordinal))));
        Assert.Equal(["big"], (await RecordingApi.ListAsync(server.Http)).Select(r => r.Stream));

        var before = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("big"), _ => true, TimeSpan.FromSeconds(5), "the live playlist");
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("big"), p => p.LastSequence >= before.LastSequence + 3, TimeSpan.FromSeconds(20), "three more live segments after the recording stopped");
        Assert.True(server.Logs.Contains("Live delivery is unaffected"), "the log says what stopped and what did not");

        using (var end = await server.Http.DeleteAsync("api/v1/streams/big"))
        {
            Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        }

        var ready = await RecordingApi.ReadyAsync(hooks, "big", s_readyTimeout);
        Assert.Contains("maxTotalMegabytes", ready.Error, StringComparison.Ordinal);
        Assert.True(ready.SizeBytes <= 1024 * 1024 * 1.1, $"within the limit (plus the MP4 head and playlists): {ready.SizeBytes}");
        var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", new Uri(server.Http.BaseAddress!, ready.Mp4!).ToString(), "-f", "null", "-"], TimeSpan.FromSeconds(30));
        Assert.True(decode.ExitCode == 0 && decode.StdErr.Trim().Length == 0, $"what was recorded before the stop plays: {decode.StdErr}");
    }

    private static int MediaSegments(LadderRecorder recorder) => recorder.Segments.GetValueOrDefault("source")?.Values.Count(s => !s.Listed.Gap) ?? 0;

    /// <summary>Ranges of the MP4 are the same bytes as the whole file's; the ETag revalidates.</summary>
    private static async Task AssertRangeRequestsAsync(HttpClient http, Uri mp4)
    {
        using var whole = await http.GetAsync(mp4);
        Assert.Equal("video/mp4", whole.Content.Headers.ContentType?.MediaType);
        var bytes = await whole.Content.ReadAsByteArrayAsync();
        foreach (var (from, to) in new[] { (0L, 99L), (1000L, 54_321L), (bytes.Length - 500L, bytes.Length - 1L) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, mp4);
            request.Headers.Range = new RangeHeaderValue(from, to);
            using var partial = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal($"bytes {from}-{to}/{bytes.Length}", partial.Content.Headers.ContentRange?.ToString());
            Assert.Equal(bytes.AsSpan((int)from, (int)(to - from + 1)).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        }

        var etag = whole.Headers.ETag;
        Assert.NotNull(etag);
        using var revalidate = new HttpRequestMessage(HttpMethod.Get, mp4);
        revalidate.Headers.IfNoneMatch.Add(etag!);
        using var notModified = await http.SendAsync(revalidate);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    /// <summary>The dashboard lists the recording with a link to the player, which plays it (Chromium; screenshots in artifacts/web/).</summary>
    private async Task AssertDashboardPlaysAsync(OnAirServer server, string name, string id)
    {
        var artifacts = Path.Combine(TestVectors.RepositoryRoot, "artifacts", "web");
        Directory.CreateDirectory(artifacts);
        var (code, stdout, stderr) = await ExternalTool.RunAsync(
            "node",
            [Path.Combine(HlsJsPlayer.PlayerDirectory, "web-test.mjs"), server.Http.BaseAddress!.ToString().TrimEnd('/'), name, artifacts, "--chromium", HlsJsPlayer.Chromium, "--recording", id],
            TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"web-test.mjs exited with {code}:\n{stderr}\n{stdout}");
        output.WriteLine(stdout);
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("failure").ValueKind == System.Text.Json.JsonValueKind.Null, $"{root.GetProperty("failure")}\n{stdout}");
        var recording = root.GetProperty("recording");
        Assert.Contains("ready", recording.GetProperty("rowText").GetString()!, StringComparison.Ordinal);
        Assert.Equal($"/watch/{name}?recording={id}", recording.GetProperty("watchHref").GetString());
        Assert.True(recording.GetProperty("stats").GetProperty("playing").GetBoolean(), stdout);
    }

    /// <summary>Polls the API (as the dashboard does) for the recording of <paramref name="stream"/>.</summary>
    private static async Task<RecordingStatus> WaitForRecordingAsync(HttpClient http, string stream, Func<RecordingStatus, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        RecordingStatus? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = (await RecordingApi.ListAsync(http)).LastOrDefault(r => r.Stream == stream);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{what} not seen within {timeout}; last: {last?.Json}");
    }
}
