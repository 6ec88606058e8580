using System.Diagnostics;
using System.Net;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;
using Xunit.Abstractions;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// A publisher that crashes (ffmpeg killed with SIGKILL: the socket drops without a goodbye) and
/// comes back: viewers keep their playlists, across every rendition of the ladder, and a real
/// player plays across the hole. After the grace period the stream ends.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public class ReconnectTests(ITestOutputHelper output)
{
    private static readonly string[] s_renditions = ["source", "360p"];

    [Fact]
    public async Task A_killed_publisher_back_within_the_grace_continues_every_playlist_and_hlsjs_plays_across_the_gap()
    {
        const string name = "comeback";
        // A grace well above the time the test is away (about 5 s), so a slow machine cannot turn the reconnect into an end.
        await using var server = await OnAirServer.StartAsync(o => o.Lifecycle.ReconnectGraceSeconds = 20);
        var recorder = new LadderRecorder(server.Http, r => server.PlaylistUri(name, r));
        await using var first = Publisher.Ffmpeg(server.RtmpUrl(name), seconds: 120, width: 854, height: 480, gopSeconds: 1);
        await TranscodingTests.WaitForMasterAsync(server, name, variants: 2);
        await recorder.RecordAsync(s_renditions, TimeSpan.FromSeconds(30), r => s_renditions.All(n => r.Segments.GetValueOrDefault(n)?.Count >= 3));
        var live = await StreamApi.WaitForAsync(server, name, s => s.State == "live", TimeSpan.FromSeconds(5), "state live");
        Assert.Equal(0, live.Reconnects);

        // A viewer: hls.js on the 360p rung, playing for the whole drop-and-return.
        var player = HlsJsPlayer.SwitchAsync(server.MasterUri(name), switches: 0, TimeSpan.FromSeconds(100), watchSeconds: 40);
        await StreamApi.WaitForAsync(server, name, s => s.Viewers >= 1, TimeSpan.FromSeconds(30), "the player counted as a viewer");
        var viewerArrived = LastSeen(recorder, "source");
        await recorder.RecordAsync(s_renditions, TimeSpan.FromSeconds(15), r => LastSeen(r, "source") >= viewerArrived + 3); // it is playing by now

        first.KillHard();
        var away = await StreamApi.WaitForAsync(server, name, s => s.State == "reconnecting", TimeSpan.FromSeconds(5), "state reconnecting");
        Assert.Equal(live.SessionId, away.SessionId);
        await recorder.RecordAsync(s_renditions, TimeSpan.FromSeconds(15), r => r.Segments["source"].Values.Count(s => s.Listed.Gap) >= 2);
        Assert.True(recorder.Segments["source"].Values.Count(s => s.Listed.Gap) >= 2, $"gap segments while the publisher is away:\n{Listing(recorder)}");

        await using var second = Publisher.Ffmpeg(server.RtmpUrl(name), seconds: 120, width: 854, height: 480, gopSeconds: 1);
        var back = Stopwatch.StartNew();
        var resumed = await StreamApi.WaitForAsync(server, name, s => s.State == "live", TimeSpan.FromSeconds(10), "state live again");
        Assert.Equal(live.SessionId, resumed.SessionId);
        Assert.Equal(1, resumed.Reconnects);
        TimeSpan? firstNewSegmentListed = null;
        await recorder.RecordAsync(s_renditions, TimeSpan.FromSeconds(30), r =>
        {
            if (firstNewSegmentListed is null && AfterGap(r, "source").Count >= 1)
            {
                firstNewSegmentListed = back.Elapsed;
            }

            return s_renditions.All(n => AfterGap(r, n).Count >= 3);
        });
        output.WriteLine($"publisher back -> first new source segment listed: {firstNewSegmentListed?.TotalSeconds:0.00} s (ffmpeg start and first keyframe included)");
        Assert.True(
            s_renditions.All(n => AfterGap(recorder, n).Count >= 3),
            $"not every rendition has media after the gap:\n{Listing(recorder)}\n{string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal) || l.Contains("[20", StringComparison.Ordinal) || l.Contains("[40", StringComparison.Ordinal)))}");

        foreach (var rendition in s_renditions)
        {
            var segments = recorder.Segments[rendition];
            var report = string.Join('\n', segments.Values.Select(s => $"{s.Sequence} {s.Listed.Uri} {s.Listed.Duration} gap={s.Listed.Gap} disc={s.Listed.Discontinuity}"));
            Assert.False(recorder.Latest[rendition].Ended, $"{rendition}: ENDLIST while reconnecting\n{report}");
            var sequences = segments.Keys.ToList();
            Assert.True(sequences.SequenceEqual(Enumerable.Range((int)sequences[0], sequences.Count).Select(n => (long)n)), $"{rendition}: MEDIA-SEQUENCE numbers not continuous\n{report}");
            var gaps = segments.Values.Where(s => s.Listed.Gap).ToList();
            Assert.True(gaps.Count >= 2, $"{rendition}: gap segments while the publisher was away\n{report}");
            var firstAfter = AfterGap(recorder, rendition)[0];
            Assert.True(firstAfter.Listed.Discontinuity, $"{rendition}: EXT-X-DISCONTINUITY before the first segment after the gap\n{report}");
            Assert.True(firstAfter.StartsWithKeyFrame, $"{rendition}: the first segment after the gap starts with a keyframe\n{report}");
            using var download = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri(name, rendition), firstAfter.Listed);
            var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", download.Path, "-f", "null", "-"], TimeSpan.FromSeconds(30));
            Assert.Equal("", decode.StdErr.Trim());
        }

        // The ladder stays aligned across the hole: the rung's new media starts at source's sequence number,
        // or one later when its restarted ffmpeg took longer than a follower waits (2 s) on a loaded machine
        // and that segment was listed as a gap (a clean-clone CI run: source 11, 360p 12).
        var sourceBack = AfterGap(recorder, "source")[0].Sequence;
        Assert.InRange(AfterGap(recorder, "360p")[0].Sequence, sourceBack, sourceBack + 1);

        var run = await player;
        var playerReport = $"hls.js {run.HlsVersion}:\n{run.Json}";
        output.WriteLine(playerReport);
        Assert.True(run.Failure is null, $"{run.Failure}\n{playerReport}");
        Assert.False(run.Errors.Any(e => e.Fatal), $"fatal hls.js error:\n{string.Join('\n', run.Errors)}\n{playerReport}");
        var resumedAt = AfterGap(recorder, "360p")[0].Sequence;
        Assert.True(run.Frags.Any(f => f.Sn > resumedAt), $"the player went on to the segments after the gap (from sn {resumedAt})\n{playerReport}");
        // hls.js skips GAP segments: the picture holds for a moment, not for the whole time the publisher was away (seen: 1.75 s of 6).
        Assert.True(run.MaxStuckSeconds < 5, $"playback stood still for {run.MaxStuckSeconds} s\n{playerReport}");

        // Dropped again, and not back within the grace: the stream ends, every playlist gets ENDLIST.
        second.KillHard();
        await recorder.RecordAsync(s_renditions, TimeSpan.FromSeconds(40));
        Assert.All(s_renditions, r => Assert.True(recorder.Latest[r].Ended, $"{r}: ENDLIST after the grace period"));
        var ended = await StreamApi.WaitForAsync(server, name, s => s.State == "ended", TimeSpan.FromSeconds(5), "state ended");
        Assert.Equal(live.SessionId, ended.SessionId);
        Assert.Contains(server.Logs.Lines, l => l.Contains("did not come back within 20 s", StringComparison.Ordinal));

        // A later publish of the name is a new session with playlists of its own.
        await using var third = Publisher.Ffmpeg(server.RtmpUrl(name), seconds: 30, width: 854, height: 480, gopSeconds: 1);
        var fresh = await StreamApi.WaitForAsync(server, name, s => s.State == "live", TimeSpan.FromSeconds(10), "a new live session");
        Assert.NotEqual(live.SessionId, fresh.SessionId);
        var newPlaylist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri(name), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "the new session's first segment");
        Assert.Equal(0, newPlaylist.MediaSequence);
        Assert.Contains(fresh.SessionId, newPlaylist.Segments[0].Uri, StringComparison.Ordinal);
    }

    private static string Listing(LadderRecorder recorder) =>
        string.Join('\n', s_renditions.Select(r => $"{r}: " + string.Join(' ', recorder.Segments[r].Values.Select(x => $"{x.Sequence}{(x.Listed.Gap ? "G" : "")}{(x.Listed.Discontinuity ? "D" : "")}"))));

    /// <summary>The segments with media after the last gap, in order.</summary>
    private static List<RecordedSegment> AfterGap(LadderRecorder recorder, string rendition) =>
        recorder.Segments[rendition].Values.SkipWhile(s => !s.Listed.Gap).SkipWhile(s => s.Listed.Gap).ToList();

    private static long LastSeen(LadderRecorder recorder, string rendition) => recorder.Segments[rendition].Keys.Max();
}
