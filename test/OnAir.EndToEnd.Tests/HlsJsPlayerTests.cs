using OnAir.EndToEnd.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace OnAir.EndToEnd.Tests;

/// <summary>A real player on the live ladder: hls.js in headless Chromium, as a viewer's browser runs it.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public class HlsJsPlayerTests(ITestOutputHelper output)
{
    /// <summary>hls.js error details a viewer notices (a stall, a skipped hole) or that mean the media could not be appended.</summary>
    private static readonly HashSet<string> s_glitches =
    [
        "bufferStalledError", "bufferSeekOverHole", "bufferNudgeOnStall", "fragGap",
        "fragParsingError", "remuxAllocError", "bufferAddCodecError", "bufferIncompatibleCodecsError", "bufferAppendError",
        "levelSwitchError", "internalException",
    ];

    [Fact]
    public async Task Hlsjs_switches_between_source_and_360p_at_segment_boundaries_without_errors_or_stalls()
    {
        // 480p in: source + 360p, the cheapest two-rung ladder (a 1080p source would not leave a core for the browser).
        // Regular HLS over MPEG-TS: hls.js switches at segment boundaries (the LL-HLS test below switches at parts).
        await using var server = await OnAirServer.StartAsync(o => o.LlHls = false);
        // Longer than the test needs (it stops the publisher when done): the stream never ends under the player.
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("abr"), seconds: 90, width: 854, height: 480, gopSeconds: 1);
        await TranscodingTests.WaitForMasterAsync(server, "abr", variants: 2);
        // A viewer joins a stream with some history: both rungs hold a few segments.
        foreach (var rendition in new[] { "source", "360p" })
        {
            await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("abr", rendition), p => p.Segments.Count >= 3, TimeSpan.FromSeconds(20), $"3 {rendition} segments");
        }

        var run = await HlsJsPlayer.SwitchAsync(server.MasterUri("abr"), switches: 3, TimeSpan.FromSeconds(60));
        var report = $"hls.js {run.HlsVersion}:\n{run.Json}";
        output.WriteLine(report); // what it saw when it passes too: switch times, errors it recovered from

        Assert.True(run.Failure is null, $"{run.Failure}\n{report}");
        Assert.Equal([360, 480], run.Levels.Select(l => l.Height).Order());
        Assert.False(run.Errors.Any(e => e.Fatal || s_glitches.Contains(e.Details)), $"hls.js reported errors:\n{string.Join('\n', run.Errors)}\n{report}");

        // Every switch reached the screen, and at a segment boundary: the picture changed where the new
        // level's first fragment starts (a switch inside a segment would be at least a GOP, 1 s, away).
        Assert.Equal(3, run.Switches.Count);
        foreach (var s in run.Switches)
        {
            Assert.True(s.LevelSwitchedAt is not null && s.FragChangedAt is not null, $"switch {s.From} -> {s.To} did not happen\n{report}");
            Assert.True(s.VideoHeight == s.ToHeight, $"switch {s.From} -> {s.To}: video height {s.VideoHeight}, expected {s.ToHeight}\n{report}");
            Assert.True(s.PictureChangedAtTime is { } changed && Math.Abs(changed - s.FragStart!.Value) < 0.25,
                $"switch {s.From} -> {s.To}: the picture changed at {s.PictureChangedAtTime}, sn {s.Sn} of the new level starts at {s.FragStart}\n{report}");

            // hls.js places each fragment at its own media time (frag.start is its parsed PTS), so this is where
            // a misaligned ladder shows: the new level's segment N must start where the old level's N-1 ended
            // (or where its N started, when hls.js replaced a fragment it was still loading). 0.1 s: audio and
            // video edges of a segment differ by up to an audio frame.
            var expectedStart = s.Sn == s.PreviousSn + 1 ? s.PreviousEnd : s.Sn == s.PreviousSn ? s.PreviousStart : null;
            Assert.True(expectedStart is { } expected && s.PreviousLevel == s.From && Math.Abs(s.FragStart!.Value - expected) < 0.1,
                $"switch {s.From} -> {s.To}: sn {s.Sn} of the new level starts at {s.FragStart}, after sn {s.PreviousSn} of level {s.PreviousLevel} ({s.PreviousStart}..{s.PreviousEnd})\n{report}");
        }

        // No segment skipped or played twice. The same sequence number twice in a row is hls.js replacing
        // the fragment it was still loading with the new level's (loadLevel interrupts the current load).
        for (var i = 1; i < run.Frags.Count; i++)
        {
            var (before, after) = (run.Frags[i - 1], run.Frags[i]);
            Assert.True(after.Sn == before.Sn + 1 || (after.Sn == before.Sn && after.Level != before.Level),
                $"played sn {before.Sn} (level {before.Level}) then sn {after.Sn} (level {after.Level})\n{report}");
        }

        // What a viewer sees: the picture kept moving through every switch, with no hole in the buffer.
        Assert.True(run.PlayedSeconds >= 10, $"played {run.PlayedSeconds} s\n{report}");
        Assert.True(run.MaxStuckSeconds < 1.5, $"playback stood still for {run.MaxStuckSeconds} s\n{report}");
        Assert.True(run.MaxBufferedRanges <= 1, $"{run.MaxBufferedRanges} buffered ranges (a hole)\n{report}");
    }

    [Fact]
    public async Task Hlsjs_in_low_latency_mode_plays_the_ladder_about_a_second_behind_live_and_switches_without_stalls()
    {
        await using var server = await OnAirServer.StartAsync(); // LL-HLS over fMP4: the default
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("ll"), seconds: 90, width: 854, height: 480, gopSeconds: 1);
        await TranscodingTests.WaitForMasterAsync(server, "ll", variants: 2);
        foreach (var rendition in new[] { "source", "360p" })
        {
            await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("ll", rendition), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(20), $"2 {rendition} segments");
        }

        var run = await HlsJsPlayer.SwitchAsync(server.MasterUri("ll"), switches: 2, TimeSpan.FromSeconds(60), lowLatency: true);
        var report = $"hls.js {run.HlsVersion} (low-latency mode):\n{run.Json}";
        output.WriteLine(report);
        Assert.True(run.Failure is null, $"{run.Failure}\n{report}");
        Assert.Equal([360, 480], run.Levels.Select(l => l.Height).Order());
        Assert.False(run.Errors.Any(e => e.Fatal || s_glitches.Contains(e.Details)), $"hls.js reported errors:\n{string.Join('\n', run.Errors)}\n{report}");
        Assert.Equal(2, run.Switches.Count);
        Assert.All(run.Switches, s => Assert.True(s.VideoHeight == s.ToHeight, $"switch {s.From} -> {s.To}: video height {s.VideoHeight}, expected {s.ToHeight}\n{report}"));

        // Played without standing still, and close to live: hls.js holds back PART-HOLD-BACK (1 s) from the
        // edge; the picture on screen is about that far behind the publisher's clock (loopback, no encoder delay counted).
        Assert.True(run.PlayedSeconds >= 0.8 * (run.ElapsedSeconds - run.Frags[0].At), $"played {run.PlayedSeconds} s of {run.ElapsedSeconds} s\n{report}");
        Assert.True(run.MaxStuckSeconds < 1.0, $"playback stood still for {run.MaxStuckSeconds} s\n{report}");
        var behind = run.Latency!.Where(l => l.Pdt is not null).Select(l => l.Pdt!.Value).Order().ToList();
        Assert.True(behind.Count >= 10, $"only {behind.Count} latency samples\n{report}");
        var median = behind[behind.Count / 2];
        output.WriteLine($"latency behind the program date-time: p50 {median:0.00} s, max {behind[^1]:0.00} s over {behind.Count} samples");
        Assert.True(median < 2.5, $"the picture is {median:0.00} s behind live (p50); LL-HLS should keep it near PART-HOLD-BACK\n{report}");
    }
}
