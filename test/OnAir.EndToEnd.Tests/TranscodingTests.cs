using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Server;
using OnAir.Testing;
using OnAir.Transcoding;
using OnAir.Transcoding.Ffmpeg;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>The live ABR transcoder with the real ffmpeg: ladders, alignment across renditions, and recovery from a crashed encoder.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // ffmpeg wrappers are shell scripts
public partial class TranscodingTests
{
    /// <summary>One frame at 30 fps in 90 kHz ticks, plus a tick of rounding: "±1 frame" in the issue's alignment rule.</summary>
    private const long OneFrame = 3001;

    [Fact]
    public async Task A_480p_source_gets_source_and_360p_only_and_every_segment_N_starts_at_the_same_PTS_with_an_IDR()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("demo"), seconds: 25, width: 854, height: 480, gopSeconds: 1);

        var master = await WaitForMasterAsync(server, "demo", variants: 2);
        var recorder = new LadderRecorder(server.Http, r => server.PlaylistUri("demo", r));
        await recorder.RecordAsync(["source", "360p"], TimeSpan.FromSeconds(45));
        Assert.Equal(0, await publisher.WaitForExitAsync(TimeSpan.FromSeconds(10)));

        // Never upscaled: the 480p source gets the 360p rung only.
        Assert.Equal(["source/playlist.m3u8", "360p/playlist.m3u8"], master.Select(v => v.Uri));
        Assert.Equal("854x480", master[0].Attributes["RESOLUTION"]);
        Assert.Equal("640x360", master[1].Attributes["RESOLUTION"]);
        Assert.Matches("^avc1\\.[0-9a-f]{6},mp4a\\.40\\.2$", master[1].Attributes["CODECS"]);
        Assert.Equal(30.0, double.Parse(master[1].Attributes["FRAME-RATE"], CultureInfo.InvariantCulture), 1);
        // ffmpeg declares its 400k as 390 kbit/s (bit_rate / 1024): the rung gets 390 x (360/480)^1.5 = 253, not the
        // ladder's 800, so players rank it below source.
        var capped = RungCappedLine().Match(Assert.Single(server.Logs.Lines, l => RungCappedLine().IsMatch(l)));
        var declared = int.Parse(capped.Groups["source"].Value, CultureInfo.InvariantCulture);
        Assert.InRange(declared, 380, 400);
        Assert.Equal(LadderCommand.RungsFor(Ladders.Default(), 480, declared).Single().VideoBitrateKbps, int.Parse(capped.Groups["kbps"].Value, CultureInfo.InvariantCulture));
        var bandwidth = long.Parse(master[1].Attributes["BANDWIDTH"], CultureInfo.InvariantCulture);
        var sourceBandwidth = long.Parse(master[0].Attributes["BANDWIDTH"], CultureInfo.InvariantCulture);
        Assert.InRange(bandwidth, 150_000, sourceBandwidth - 1);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync(server.PlaylistUri("demo", "480p"))).StatusCode);

        using var first = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri("demo", "360p"), recorder.Latest["360p"].Segments[0]);
        var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(first.Path, "-show_streams"));
        var video = probe.RootElement.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
        Assert.Equal((640, 360), (video.GetProperty("width").GetInt32(), video.GetProperty("height").GetInt32()));
        // Square pixels: 854x480 scaled to an even 640 wide is 1/1000 off the source's aspect, and a
        // player showing that SAR draws 641x360.
        Assert.Equal("1:1", video.TryGetProperty("sample_aspect_ratio", out var sar) ? sar.GetString() : "(none)");

        AssertAligned(recorder, "360p", minimumSegments: 10); // 20 s of 2 s segments
        Assert.True(recorder.Latest["360p"].Ended && recorder.Latest["source"].Ended, "both playlists end with ENDLIST");
    }

    [Fact]
    public async Task A_1080p_source_gets_the_whole_default_ladder_at_the_right_resolutions()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("big"), seconds: 12, width: 1920, height: 1080, gopSeconds: 1);

        var master = await WaitForMasterAsync(server, "big", variants: 4);
        Assert.Equal(["source", "720p", "480p", "360p"], master.Select(v => v.Uri.Split('/')[0]));
        string[] resolutions = ["1920x1080", "1280x720", "854x480", "640x360"];
        Assert.Equal(resolutions, master.Select(v => v.Attributes["RESOLUTION"]));
        for (var i = 0; i < master.Count; i++)
        {
            var rendition = master[i].Uri.Split('/')[0];
            var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("big", rendition), p => p.Segments.Count > 0, TimeSpan.FromSeconds(15), $"a {rendition} segment");
            using var first = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri("big", rendition), playlist.Segments[0]);
            var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(first.Path, "-show_streams"));
            var video = probe.RootElement.GetProperty("streams").EnumerateArray().Single(s => s.GetProperty("codec_type").GetString() == "video");
            Assert.Equal(resolutions[i], $"{video.GetProperty("width").GetInt32()}x{video.GetProperty("height").GetInt32()}");
        }
    }

    [Fact]
    public async Task A_killed_ffmpeg_is_restarted_and_its_renditions_resume_within_two_segments_while_source_never_pauses()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("crash"), seconds: 30, width: 854, height: 480, gopSeconds: 1);
        await WaitForMasterAsync(server, "crash", variants: 2);
        var recorder = new LadderRecorder(server.Http, r => server.PlaylistUri("crash", r));
        await recorder.RecordAsync(["source", "360p"], TimeSpan.FromSeconds(20), r => r.Segments.TryGetValue("360p", out var s) && s.Count >= 3);

        var pid = FfmpegPid(server.Logs.Lines.Single(l => l.Contains("[3000]", StringComparison.Ordinal)));
        var sourceAtKill = recorder.Latest["source"].LastSequence;
        using (var ffmpeg = Process.GetProcessById(pid))
        {
            ffmpeg.Kill(); // the transcoder's child, started by this test's server
        }

        await recorder.RecordAsync(["source", "360p"], TimeSpan.FromSeconds(40));

        // The supervisor said why it restarted, and the renditions came back with a discontinuity.
        Assert.Contains(server.Logs.Lines, l => l.Contains("[3002]", StringComparison.Ordinal) && l.Contains($"pid {pid}", StringComparison.Ordinal));
        var rung = recorder.Segments["360p"];
        var resumed = rung.Values.First(s => s.Sequence > sourceAtKill && s.Listed.Discontinuity && !s.Listed.Gap);
        Assert.InRange(resumed.Sequence, sourceAtKill + 1, sourceAtKill + 3); // the segment in progress at the kill, then at most two more
        Assert.True(resumed.StartsWithKeyFrame);
        var transcoderLog = server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal)).ToList();
        // One crash restart, not a loop. Under load the restarted ffmpeg may also lag and be stepped down or up
        // (3004/3005): each step starts another ffmpeg, by design, and is not a restart.
        int Count(string id) => transcoderLog.Count(l => l.Contains(id, StringComparison.Ordinal));
        Assert.True(Count("[3002]") == 1 && Count("[3000]") == 2 + Count("[3004]") + Count("[3005]"), "one restart, not a loop:\n" + string.Join('\n', transcoderLog));

        // source kept its pace: a new segment at least every target duration (plus reload and jitter margin).
        var source = recorder.Segments["source"].Values.Where(s => s.Sequence > sourceAtKill).ToList();
        Assert.True(source.Count >= 8, $"{source.Count} source segments after the kill");
        for (var i = 1; i < source.Count - 1; i++)
        {
            Assert.True(source[i].FirstSeen - source[i - 1].FirstSeen < TimeSpan.FromSeconds(3.5), $"source segment {source[i].Sequence} listed {source[i].FirstSeen - source[i - 1].FirstSeen} after the one before");
        }

        AssertAligned(recorder, "360p", minimumSegments: 8);
    }

    [Fact]
    public async Task A_ladder_too_expensive_for_the_machine_degrades_and_every_listed_rendition_keeps_real_time_pace()
    {
        // Four near-1080p rungs at x264 "medium", with ffmpeg held to one core: several times slower
        // than real time on any machine.
        var clip = await TestClip.GetAsync(1920, 1080, seconds: 6);
        using var dir = new TempDir();
        var oneCore = FfmpegWrapper.Create(dir, "exec taskset -c 0 ffmpeg \"$@\"");
        string[] rungs = ["r1078", "r1076", "r1074", "r1072"];
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "heavy";
            o.Ladders["heavy"] = new LadderOptions
            {
                Renditions = [.. rungs.Select(name => new RenditionOptions { Name = name, Height = int.Parse(name[1..], CultureInfo.InvariantCulture), VideoBitrateKbps = 3000, MaxRateKbps = 3300, Preset = "medium" })],
            };
            o.Transcode.RecoverAfterSeconds = 600; // this test judges the way down only
            o.Transcode.FfmpegPath = oneCore;
        });
        await using var publisher = Publisher.FfmpegLoop(server.RtmpUrl("heavy"), clip, seconds: 50);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!server.Logs.Contains("[3004]"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the degradation policy did not engage within 30 s:\n" + string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal))));
            await Task.Delay(HlsPoller.ReloadInterval);
        }

        var recorder = new LadderRecorder(server.Http, r => server.PlaylistUri("heavy", r));
        var recordingStarted = DateTime.UtcNow;
        await recorder.RecordAsync(["source", .. rungs], TimeSpan.FromSeconds(30));
        var judgedFrom = recordingStarted + TimeSpan.FromSeconds(14); // settled by then: judge the last 16 s

        var listed = (await WaitForMasterAsync(server, "heavy", variants: 2)).Select(v => v.Uri.Split('/')[0]).ToList();
        var transcoderLog = string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal)));
        var source = recorder.Latest["source"];
        foreach (var rendition in listed.Skip(1))
        {
            var recent = recorder.Segments[rendition].Values.Count(s => s.FirstSeen >= judgedFrom && !s.Listed.Gap);
            Assert.True(recent >= 5, $"{rendition}: {recent} segments in the last 16 s, real time is 8\n{transcoderLog}");
            var behind = source.LastSequence - recorder.Latest[rendition].LastSequence;
            Assert.True(behind <= 2, $"{rendition} is {behind} segments behind source\n{transcoderLog}");
        }

        // The figures behind it, as exported: degraded, and the lag back within bounds.
        var metrics = await server.Http.GetStringAsync("metrics");
        Assert.True(MetricValue(metrics, "onair_transcode_degradation_level") >= 1, metrics);
        Assert.InRange(MetricValue(metrics, "onair_transcode_lag_seconds"), 0, 3 * 2.0);
        foreach (var rendition in listed.Skip(1))
        {
            Assert.InRange(PrometheusText.Value(PrometheusText.Parse(metrics), "onair_transcode_rung_lag_seconds", ("stream", "heavy"), ("rendition", rendition)), 0, 3 * 2.0);
        }
    }

    [Fact]
    public async Task When_the_machine_has_headroom_again_the_transcoder_recovers_step_by_step_without_breaking_alignment()
    {
        // Full quality reads its input at half real time (as if the CPU could not keep up); the
        // degraded run (the faster preset) runs freely, so headroom comes back and full quality is tried again.
        using var dir = new TempDir();
        await using var server = await StartWithSlowFfmpegAsync(dir, "case \"$*\" in *ultrafast*) exec ffmpeg \"$@\";; esac\nexec ffmpeg -readrate 0.5 \"$@\"");
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("wave"), seconds: 40, width: 854, height: 480);
        await WaitForMasterAsync(server, "wave", variants: 2);
        var recorder = new LadderRecorder(server.Http, r => server.PlaylistUri("wave", r));
        await recorder.RecordAsync(["source", "360p"], TimeSpan.FromSeconds(60));

        // Down, back up, and down again: each step logged with the figures behind it.
        var steps = server.Logs.Lines.Where(l => l.Contains("[3004]", StringComparison.Ordinal) || l.Contains("[3005]", StringComparison.Ordinal)).ToList();
        var transcoderLog = string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal)));
        Assert.True(steps.Count >= 3, transcoderLog);
        Assert.Contains("[3004]", steps[0]);
        Assert.Contains("[3005]", steps[1]);
        Assert.Contains("recovering to level 0: full quality", steps[1]);
        Assert.Contains("[3004]", steps[2]);
        Assert.DoesNotContain("[3003]", transcoderLog); // never given up

        // Every segment the rung made, through the swaps, still starts with an IDR where source's does.
        AssertAligned(recorder, "360p", minimumSegments: 8);
    }

    [Fact]
    public async Task A_dropped_rung_leaves_the_master_and_comes_back_into_the_same_playlist_when_there_is_headroom()
    {
        // The 480p rung is what makes ffmpeg slow (it then reads its input at half real time): only
        // dropping it (level 3) catches up, and after headroom the policy brings it back.
        using var dir = new TempDir();
        await using var server = await StartWithSlowFfmpegAsync(
            dir,
            "case \"$*\" in *scale=-2:480*) exec ffmpeg -readrate 0.5 \"$@\";; esac\nexec ffmpeg \"$@\"",
            o =>
            {
                o.Transcode.DroppedRungGraceSeconds = 120; // players keep the dropped rung's playlist meanwhile: it must continue, not end
                // Regular HLS: the restored rung runs at half speed again, and with LL-HLS its first segment after the
                // return is often still open (listed as parts) when the policy drops it once more.
                o.LlHls = false;
            });
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("flex"), seconds: 90, width: 1280, height: 720);
        await WaitForMasterAsync(server, "flex", variants: 3);

        // Master and media playlists as players reload them, until 480p has left the master and come back.
        var recorder = new LadderRecorder(server.Http, r => server.PlaylistUri("flex", r));
        var masters = new List<string[]>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(75);
        int Dropped() => masters.FindIndex(m => !m.Contains("480p"));
        while (!(Dropped() >= 0 && masters.Skip(Dropped()).Any(m => m.Contains("480p"))))
        {
            var transcoderLog = string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal)));
            Assert.True(DateTime.UtcNow < deadline, $"480p was not dropped and restored within 75 s; masters seen: {string.Join(" / ", masters.Select(m => string.Join(',', m)).Distinct())}\n{transcoderLog}");
            await recorder.RecordAsync(["source", "480p", "360p"], TimeSpan.FromMilliseconds(50));
            using var response = await server.Http.GetAsync(server.MasterUri("flex"));
            masters.Add([.. ParseMaster(await response.Content.ReadAsStringAsync()).Select(v => v.Uri.Split('/')[0])]);
        }

        // Two more segments of the restored rung, so the resumed part can be judged.
        var resumedAfter = recorder.Latest["480p"].LastSequence;
        await recorder.RecordAsync(["source", "480p", "360p"], TimeSpan.FromSeconds(20), r => r.Latest["480p"].LastSequence >= resumedAfter + 2);

        var log = string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal)));
        Assert.Contains("rung 480p dropped from the master playlist", log);
        Assert.Equal(["source", "360p"], masters[Dropped()]); // the cheaper rung stayed listed throughout
        Assert.All(masters, m => Assert.Contains("360p", m));

        // One playlist throughout: never ended, each hole (the rung may drop and return more than once, and
        // a polled master can miss a quick drop or show it late) listed as gaps after media, the media after
        // it starting with DISCONTINUITY, each segment still with an IDR where source's segment N starts.
        var segments = recorder.Segments["480p"].Values.OrderBy(x => x.Sequence).ToList();
        Assert.False(recorder.Latest["480p"].Ended, "the restored rung's playlist ended");
        var listing = string.Join('\n', segments.Select(x => $"{x.Sequence}{(x.Listed.Gap ? " GAP" : "")}{(x.Listed.Discontinuity ? " DISCONTINUITY" : "")}"));
        var holes = Enumerable.Range(1, Math.Max(0, segments.Count - 1)).Where(i => segments[i].Listed.Gap && !segments[i - 1].Listed.Gap).ToList();
        Assert.True(holes.Count > 0, $"480p lists no gap after its media:\n{listing}");
        var resumes = holes.Select(hole => segments.Skip(hole).FirstOrDefault(x => !x.Listed.Gap)).OfType<RecordedSegment>().ToList();
        Assert.True(resumes.Count > 0, $"480p has no media after a gap:\n{listing}\n{string.Join('\n', server.Logs.Lines.Where(l => l.Contains("480p", StringComparison.Ordinal)))}");
        Assert.All(resumes, resumed => Assert.True(resumed.Listed.Discontinuity, $"480p resumed at {resumed.Sequence} without DISCONTINUITY:\n{listing}"));
        Assert.True(segments[^1].Sequence >= resumedAfter + 2, $"480p did not produce after its return (last {segments[^1].Sequence}, restored at {resumedAfter})\n{log}");
        AssertAligned(recorder, "480p", minimumSegments: 3); // before the drop and after the return
        AssertAligned(recorder, "360p", minimumSegments: 5); // each step down restarts ffmpeg and leaves a gap
    }

    /// <summary>
    /// A server whose ffmpeg is a shell script <paramref name="wrapper"/> around the real one that reads
    /// its input at half real time for some commands: a machine too slow for them. Steps are undone after 5 s of headroom.
    /// </summary>
    private static Task<OnAirServer> StartWithSlowFfmpegAsync(TempDir dir, string wrapper, Action<OnAirOptions>? configure = null) =>
        OnAirServer.StartAsync(o =>
        {
            o.Transcode.FfmpegPath = FfmpegWrapper.Create(dir, wrapper);
            o.Transcode.RecoverAfterSeconds = 5;
            configure?.Invoke(o);
        });

    private static double MetricValue(string metrics, string name) => PrometheusText.Value(PrometheusText.Parse(metrics), name);

    /// <summary>Every non-gap segment N of <paramref name="rendition"/> starts with an IDR at the PTS of source's segment N (±1 frame).</summary>
    private static void AssertAligned(LadderRecorder recorder, string rendition, int minimumSegments)
    {
        var source = recorder.Segments["source"];
        var compared = 0;
        foreach (var (sequence, segment) in recorder.Segments[rendition])
        {
            if (segment.Listed.Gap || !source.TryGetValue(sequence, out var reference))
            {
                continue;
            }

            Assert.Equal(reference.Listed.Uri, segment.Listed.Uri); // same numbering, same names
            Assert.True(segment.StartsWithKeyFrame, $"{rendition} segment {sequence} starts with an IDR");
            Assert.True(reference.StartsWithKeyFrame, $"source segment {sequence} starts with an IDR");
            Assert.InRange(segment.FirstVideoPts!.Value, reference.FirstVideoPts!.Value - OneFrame, reference.FirstVideoPts.Value + OneFrame);
            compared++;
        }

        Assert.True(compared >= minimumSegments, $"{compared} {rendition} segments compared with source, expected at least {minimumSegments}");
    }

    internal static async Task<List<(Dictionary<string, string> Attributes, string Uri)>> WaitForMasterAsync(OnAirServer server, string name, int variants)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await server.Http.GetAsync(server.MasterUri(name));
            if (response.IsSuccessStatusCode)
            {
                var parsed = ParseMaster(await response.Content.ReadAsStringAsync());
                if (parsed.Count >= variants)
                {
                    return parsed;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"master playlist of {name} did not list {variants} variants within 30 s");
            await Task.Delay(HlsPoller.ReloadInterval);
        }
    }

    private static List<(Dictionary<string, string> Attributes, string Uri)> ParseMaster(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var variants = new List<(Dictionary<string, string>, string)>();
        for (var i = 0; i < lines.Length - 1; i++)
        {
            if (lines[i].StartsWith("#EXT-X-STREAM-INF:", StringComparison.Ordinal))
            {
                var attributes = AttributePattern().Matches(lines[i]["#EXT-X-STREAM-INF:".Length..])
                    .ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim('"'), StringComparer.Ordinal);
                variants.Add((attributes, lines[i + 1]));
            }
        }

        return variants;
    }

    private static int FfmpegPid(string logLine) => int.Parse(PidPattern().Match(logLine).Groups[1].Value, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"\[3011\].*rung 360p encoded at (?<kbps>\d+) kbit/s instead of the ladder's 800: the publisher declares (?<source>\d+) kbit/s")]
    private static partial Regex RungCappedLine();

    [GeneratedRegex("([A-Z-]+)=(\"[^\"]*\"|[^,]*)")]
    private static partial Regex AttributePattern();

    [GeneratedRegex(@"ffmpeg pid (\d+)")]
    private static partial Regex PidPattern();
}
