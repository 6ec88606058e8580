using System.Diagnostics;
using System.Globalization;
using System.Net;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;
using Xunit.Abstractions;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// LL-HLS as rfc8216bis and Apple's authoring spec have it, over a live ladder published by a real
/// ffmpeg: parts, server control, rendition reports, blocking reload (timing, 400 and 503), delta
/// updates that expand to the full playlist, and clients without LL support reading the same master.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class LowLatencyHlsTests(ITestOutputHelper output)
{
    private static readonly string[] s_renditions = ["source", "360p"];

    [Fact]
    public async Task Thirty_seconds_of_a_live_ladder_keep_every_LL_HLS_rule_and_blocking_reloads_answer_when_the_part_exists()
    {
        // A 12-segment window: CAN-SKIP-UNTIL is 6 target durations (12 s), so delta updates skip the oldest segments.
        await using var server = await OnAirServer.StartAsync(o => o.Hls.WindowSegments = 12);
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("ll"), seconds: 45, width: 854, height: 480, gopSeconds: 1);
        await TranscodingTests.WaitForMasterAsync(server, "ll", variants: 2);

        // Every rendition's playlist as a player reloads it, for 30 s.
        var seen = new Dictionary<string, List<(MediaPlaylist Playlist, string Text)>>();
        foreach (var rendition in s_renditions)
        {
            seen[rendition] = [];
        }

        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var rendition in s_renditions)
            {
                var text = await server.Http.GetStringAsync(server.PlaylistUri("ll", rendition));
                seen[rendition].Add((MediaPlaylist.Parse(text), text));
            }

            await Task.Delay(300);
        }

        foreach (var rendition in s_renditions)
        {
            var playlists = seen[rendition];
            var report = playlists[^1].Text;
            for (var n = 0; n < playlists.Count; n++)
            {
                var (playlist, text) = playlists[n];
                var ll = playlist.LowLatency;
                var target = ll.PartTarget ?? throw new Xunit.Sdk.XunitException($"{rendition}: no EXT-X-PART-INF\n{text}");
                Assert.Equal(0.334, target); // never changes while the playlist lives
                Assert.Equal("YES", ll.ServerControl["CAN-BLOCK-RELOAD"]);
                Assert.Equal(3 * target, Seconds(ll.ServerControl["PART-HOLD-BACK"]), 3);
                Assert.True(Seconds(ll.ServerControl["HOLD-BACK"]) >= 3 * playlist.TargetDuration, text);
                Assert.Equal(6 * playlist.TargetDuration, Seconds(ll.ServerControl["CAN-SKIP-UNTIL"]), 3);
                Assert.True(playlist.Version >= 9, text);

                // Parts fit the target; all but a segment's last reach 85 % of it; a segment opens with an independent part.
                foreach (var segment in playlist.Segments.Where(s => s.Parts is { Count: > 0 }))
                {
                    var parts = segment.Parts!;
                    Assert.True(parts[0].Independent, $"{rendition} {segment.Uri}: its first part is not INDEPENDENT\n{text}");
                    Assert.All(parts, p => Assert.True(p.Duration <= target + 0.0005, $"{rendition} {p.Uri}: {p.Duration} s > PART-TARGET\n{text}"));
                    Assert.All(parts.SkipLast(1), p => Assert.True(p.Duration >= 0.85 * target, $"{rendition} {p.Uri}: {p.Duration} s < 85 % of PART-TARGET\n{text}"));
                    Assert.Equal(segment.Duration, parts.Sum(p => p.Duration), 1);
                }

                Assert.All(ll.OpenParts, p => Assert.True(p.Duration <= target + 0.0005, $"{rendition} {p.Uri}: {p.Duration} s > PART-TARGET\n{text}"));

                // The next part is hinted, and every other rendition of the master is reported.
                var (lastSequence, _, _) = playlist.AllParts().Last();
                Assert.Equal(NextPart(playlist), ll.PreloadHint);
                // (From the second second on: the first reload may still be the playlist published before the other rendition's first part.)
                if (n >= 4)
                {
                    var others = s_renditions.Where(r => r != rendition).Select(r => $"../{r}/playlist.m3u8").ToList();
                    Assert.True(others.SequenceEqual(ll.Reports.Select(r => r.Uri)), $"{rendition}: rendition reports {string.Join(", ", ll.Reports)}\n{text}");
                    Assert.All(ll.Reports, r => Assert.InRange(r.LastMsn, lastSequence - 1, lastSequence + 1));
                }
            }

            // The playlist advanced in step with the media: no stall of a segment or more.
            var sequences = playlists.Select(p => p.Playlist.MediaSequence + p.Playlist.Segments.Count).ToList();
            Assert.True(sequences[^1] - sequences[0] >= 12, $"{rendition}: {sequences[0]} -> {sequences[^1]} segments in 30 s\n{report}");
        }

        // The renditions advance in step: their live edges are within a segment of each other.
        var edges = s_renditions.Select(r => seen[r][^1].Playlist.AllParts().Last().Sequence).ToList();
        Assert.InRange(edges.Max() - edges.Min(), 0, 1);

        await AssertBlockingReloadTimingAsync(server);
        await AssertPreloadHintsAnswerSoonAsync(server);
        await AssertDeltaExpandsToFullAsync(server);
        await AssertNonLowLatencyClientsReadTheMasterAsync(server);
    }

    /// <summary>A request for the next part is answered when a plain reload first lists it (within 50 ms), for several parts in a row.</summary>
    private async Task AssertBlockingReloadTimingAsync(OnAirServer server)
    {
        var uri = server.PlaylistUri("ll");
        var firstSeen = new Dictionary<(long, int), double>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        using var poller = new HttpClient();
        var polling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var playlist = MediaPlaylist.Parse(await poller.GetStringAsync(uri));
                var at = clock.Elapsed.TotalSeconds;
                foreach (var (sequence, index, _) in playlist.AllParts())
                {
                    lock (firstSeen)
                    {
                        firstSeen.TryAdd((sequence, index), at);
                    }
                }

                await Task.Delay(10);
            }
        });

        var latest = MediaPlaylist.Parse(await server.Http.GetStringAsync(uri));
        var (msn, part, _) = latest.AllParts().Last();
        var answers = new List<(long Msn, int Part, double At)>();
        for (var i = 0; i < 8; i++)
        {
            part++;
            var text = await server.Http.GetStringAsync(new Uri(uri, $"playlist.m3u8?_HLS_msn={msn}&_HLS_part={part}"));
            var at = clock.Elapsed.TotalSeconds;
            var answered = MediaPlaylist.Parse(text);
            var (lastMsn, lastPart, _) = answered.AllParts().Last();
            Assert.True(lastMsn > msn || (lastMsn == msn && lastPart >= part), $"asked for {msn}.{part}, got a playlist ending at {lastMsn}.{lastPart}\n{text}");
            (msn, part) = (lastMsn, lastPart);
            answers.Add((msn, part, at));
        }

        await stop.CancelAsync();
        await polling.ContinueWith(_ => { });
        foreach (var (m, p, at) in answers)
        {
            lock (firstSeen)
            {
                if (firstSeen.TryGetValue((m, p), out var seenAt))
                {
                    output.WriteLine($"part {m}.{p}: blocking answer {1000 * (at - seenAt):0} ms after a 10 ms poller first saw it");
                    Assert.True(at - seenAt <= 0.05, $"part {m}.{p} was listed at {seenAt:0.000} s but the blocking request returned at {at:0.000} s");
                }
            }
        }
    }

    /// <summary>
    /// A request for the hinted next part is answered with it once it is complete, or (when a keyframe
    /// opened the next segment instead, so the hinted part never comes) released at the next publish:
    /// never held until the 3-target-duration timeout.
    /// </summary>
    private async Task AssertPreloadHintsAnswerSoonAsync(OnAirServer server)
    {
        var uri = server.PlaylistUri("ll");
        var served = 0;
        for (var i = 0; i < 14; i++)
        {
            var playlist = MediaPlaylist.Parse(await server.Http.GetStringAsync(uri));
            var hint = playlist.LowLatency.PreloadHint ?? throw new Xunit.Sdk.XunitException("no EXT-X-PRELOAD-HINT");
            var clock = Stopwatch.StartNew();
            using var response = await server.Http.GetAsync(new Uri(uri, hint));
            output.WriteLine($"hint {hint}: {(int)response.StatusCode} after {clock.ElapsedMilliseconds} ms");
            Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, $"{hint}: {response.StatusCode}");
            // A part takes a third of a second; half the 6 s timeout leaves room for a loaded machine and still tells a held hint apart.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"{hint} was held {clock.Elapsed}");
            served += response.StatusCode == HttpStatusCode.OK ? 1 : 0;
        }

        Assert.True(served >= 10, $"only {served} of 14 hinted parts were served");
    }

    /// <summary>_HLS_skip=YES replaces the oldest segments with EXT-X-SKIP; put back from the full playlist they make the same list.</summary>
    private static async Task AssertDeltaExpandsToFullAsync(OnAirServer server)
    {
        var uri = server.PlaylistUri("ll");
        var full = MediaPlaylist.Parse(await server.Http.GetStringAsync(uri));
        var (msn, part, _) = full.AllParts().Last();
        // Both answered from the same live edge: blocking on the part the full playlist ends with answers at once.
        var fullText = await server.Http.GetStringAsync(new Uri(uri, $"playlist.m3u8?_HLS_msn={msn}&_HLS_part={part}"));
        var deltaText = await server.Http.GetStringAsync(new Uri(uri, $"playlist.m3u8?_HLS_msn={msn}&_HLS_part={part}&_HLS_skip=YES"));
        full = MediaPlaylist.Parse(fullText);
        var delta = MediaPlaylist.Parse(deltaText);
        var skipped = delta.LowLatency.SkippedSegments;
        Assert.True(skipped > 0, $"nothing skipped in a 12-segment window:\n{deltaText}");
        Assert.Equal(full.MediaSequence, delta.MediaSequence);

        // Expanded: the skipped segments come from the full playlist, the rest from the delta.
        var expanded = full.Segments.Take(skipped).Select(s => s.Uri).Concat(delta.Segments.Select(s => s.Uri)).ToList();
        var common = Math.Min(expanded.Count, full.Segments.Count);
        Assert.Equal(full.Segments.Take(common).Select(s => s.Uri), expanded.Take(common));

        // What is skipped ends more than CAN-SKIP-UNTIL before the end of the playlist: what the delta still lists lasts at least that long.
        var skipUntil = Seconds(delta.LowLatency.ServerControl["CAN-SKIP-UNTIL"]);
        var listed = delta.Segments.Sum(s => s.Duration) + delta.LowLatency.OpenParts.Sum(p => p.Duration);
        // (Up to a millisecond short: DURATION has five decimals and EXTINF three, while the server skips on exact 90 kHz durations.)
        Assert.True(listed >= skipUntil - 0.001, $"skipped into the last {skipUntil} s (the delta still lists {listed} s):\n{deltaText}");
    }

    /// <summary>Players without LL-HLS (ffmpeg, GStreamer's hlsdemux2 through playbin3) read the same master and media without errors.</summary>
    private static async Task AssertNonLowLatencyClientsReadTheMasterAsync(OnAirServer server)
    {
        var ffmpeg = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", server.MasterUri("ll").ToString(), "-map", "0", "-t", "4", "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(ffmpeg.ExitCode == 0 && ffmpeg.StdErr.Trim().Length == 0, $"ffmpeg: {ffmpeg.StdErr}");

        // Stopped after 6 s of play with SIGINT (-e: an EOS first); a pipeline whose EOS never reaches the
        // sinks of a live stream is killed 4 s later (a clean-clone run once saw gst-launch hang there).
        var gst = await ExternalTool.RunAsync(
            "timeout",
            ["-s", "INT", "-k", "4", "6", "gst-launch-1.0", "-e", "playbin3", $"uri={server.MasterUri("ll")}", "video-sink=fakesink", "audio-sink=fakesink"],
            TimeSpan.FromSeconds(30));
        var gstOutput = gst.StdOut + gst.StdErr;
        Assert.DoesNotContain("ERROR", gstOutput, StringComparison.Ordinal);
        Assert.Contains("PLAYING", gstOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_or_too_far_blocking_requests_get_400_at_once_and_a_part_that_does_not_come_gets_503_after_three_target_durations()
    {
        await using var server = await OnAirServer.StartAsync();
        var tags = FlvFile.ReadTags(TestVectors.Path("h264-aac-320x240-2s.flv"));
        await using var client = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort);
        await client.HandshakeAsync();
        Assert.Equal("NetStream.Publish.Start", await client.PublishAsync("still", TimeSpan.FromSeconds(5)));
        await client.SendFlvTagsAsync(tags, 0);
        await client.SendFlvTagsAsync(tags, 2000);
        // The publisher stays connected but sends nothing more: the playlist stops at its last part, without gaps.
        var uri = server.PlaylistUri("still");
        await HlsPoller.WaitForAsync(server.Http, uri, p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a segment");
        // The frames were sent faster than real time: wait until packaging has caught up and the live edge stands still.
        var stable = await server.Http.GetStringAsync(uri);
        await Eventually.TrueAsync(
            async () =>
            {
                await Task.Delay(500);
                var now = await server.Http.GetStringAsync(uri);
                var same = now == stable;
                stable = now;
                return same;
            },
            "the playlist to stop changing",
            TimeSpan.FromSeconds(15));
        var playlist = MediaPlaylist.Parse(stable);
        var (msn, part, _) = playlist.AllParts().Last();

        string[] malformed =
        [
            "_HLS_msn=-1", "_HLS_msn=abc", "_HLS_msn=1.5", "_HLS_msn=99999999999999999999999", "_HLS_part=0",
            "_HLS_msn=1&_HLS_msn=2", "_HLS_msn=0&_HLS_part=-2", "_HLS_skip=NO", $"_HLS_msn={msn + 3}",
            $"_HLS_msn={msn}&_HLS_part={part + 10}", // the Advance Part Limit is 3 / PART-TARGET: 9 parts

        ];
        foreach (var query in malformed)
        {
            var clock = Stopwatch.StartNew();
            using var response = await server.Http.GetAsync(new Uri(uri, $"playlist.m3u8?{query}"));
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{query}: {response.StatusCode}");
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"{query}: answered after {clock.Elapsed}");
            Assert.NotEmpty(await response.Content.ReadAsStringAsync()); // with a reason
        }

        // Parts are byte ranges of their segment's file: fetched in order, a closed segment's parts are that segment.
        var closed = playlist.Segments.Where(s => s.Parts is { Count: > 0 }).ToList();
        Assert.NotEmpty(closed);
        foreach (var segment in closed)
        {
            var whole = await server.Http.GetByteArrayAsync(new Uri(uri, segment.Uri));
            var joined = new List<byte>();
            foreach (var p in segment.Parts!)
            {
                var bytes = await server.Http.GetByteArrayAsync(new Uri(uri, p.Uri));
                using var head = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, new Uri(uri, p.Uri)));
                Assert.Equal(bytes.Length, head.Content.Headers.ContentLength);
                joined.AddRange(bytes);
            }

            Assert.True(whole.AsSpan().SequenceEqual(joined.ToArray()), $"{segment.Uri}: its {segment.Parts!.Count} parts make {joined.Count} bytes that are not its {whole.Length}");
        }

        using (var unknown = await server.Http.GetAsync(new Uri(server.Http.BaseAddress!, "live/still/1080p/playlist.m3u8?_HLS_msn=1")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        // Listed: answered at once. Not coming: 503 after 3 target durations (6 s).
        var at = Stopwatch.StartNew();
        using (var listed = await server.Http.GetAsync(new Uri(uri, $"playlist.m3u8?_HLS_msn={msn}&_HLS_part={part}")))
        {
            Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
            Assert.True(at.Elapsed < TimeSpan.FromSeconds(1), $"a listed part was answered after {at.Elapsed}");
        }

        at.Restart();
        using var late = await server.Http.GetAsync(new Uri(uri, $"playlist.m3u8?_HLS_msn={msn}&_HLS_part={part + 1}"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, late.StatusCode);
        Assert.InRange(at.Elapsed.TotalSeconds, 3 * playlist.TargetDuration - 0.5, 3 * playlist.TargetDuration + 2);
        await client.LeaveAsync(TimeSpan.FromSeconds(10));
    }

    private static string NextPart(MediaPlaylist playlist)
    {
        var (sequence, index, last) = playlist.AllParts().Last();
        var prefix = last.Uri[..last.Uri.IndexOf('-', StringComparison.Ordinal)];
        // The open segment's next part, or the first part of the next segment when none is open.
        return playlist.LowLatency.OpenParts.Count > 0 ? $"{prefix}-{sequence}.{index + 1}.m4s" : $"{prefix}-{sequence + 1}.0.m4s";
    }

    private static double Seconds(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
