using System.Text.Json;
using OnAir.Media;
using OnAir.Media.Hevc;
using OnAir.Streams.Diagnostics;
using OnAir.Testing;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>What the packager makes of streams that are not plain audio + video: one track only, a broken frame, an odd keyframe interval.</summary>
public sealed class PackagerInputTests
{
    private const int VideoPid = 0x100;
    private const int AudioPid = 0x101;

    [Fact]
    public async Task Audio_only_input_gives_audio_only_segments_and_an_audio_only_variant()
    {
        using var vector = VectorFrames.Read("aac-44100-mono.flv");
        using var run = new PackagingRun(new HlsOptions());

        await run.RunAsync(LoopedFrames.Loop(vector, 10)); // about 5.3 s

        var playlist = MediaPlaylistText.Parse(run.Rendition.Playlist!);
        Assert.True(playlist.Ended);
        Assert.Equal(3, playlist.Segments.Count);
        Assert.Equal(2, playlist.TargetDuration);
        Assert.All(playlist.Segments.SkipLast(1), s => Assert.InRange(s.Duration, 2.0, 2.1)); // cut at the first AAC frame past 2 s

        using var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(run.SegmentPath(playlist.Segments[0].Uri), "-show_streams"));
        var stream = Assert.Single(probe.RootElement.GetProperty("streams").EnumerateArray());
        Assert.Equal("aac", stream.GetProperty("codec_name").GetString());
        Assert.Equal("44100", stream.GetProperty("sample_rate").GetString());
        Assert.Equal(1, stream.GetProperty("channels").GetInt32());
        Assert.All(playlist.Segments, s => Assert.DoesNotContain(TsReader.Packets(File.ReadAllBytes(run.SegmentPath(s.Uri))), p => p.Pid == VideoPid));

        var variant = Assert.Single(MasterPlaylistText.Parse(run.Output.MasterPlaylist!).Variants);
        Assert.Equal("\"mp4a.40.2\"", variant.Attributes["CODECS"]);
        Assert.False(variant.Attributes.ContainsKey("RESOLUTION"));
        Assert.False(variant.Attributes.ContainsKey("FRAME-RATE"));
    }

    [Fact]
    public async Task Video_only_input_is_packaged_from_its_first_keyframe_once_the_probe_time_has_passed_without_audio()
    {
        using var vector = VectorFrames.Read("h264-854x480-main.flv");
        using var run = new PackagingRun(new HlsOptions { TrackProbeSeconds = 1 });
        var frames = LoopedFrames.Loop(vector, 25).ToList(); // 3 s of 3-frame GOPs at 25 fps
        var firstPts = frames[0].Pts;

        await run.RunAsync(frames);

        var playlist = MediaPlaylistText.Parse(run.Rendition.Playlist!);
        Assert.True(playlist.Ended);
        Assert.Equal(2, playlist.Segments.Count);
        Assert.Equal(2.04, playlist.Segments[0].Duration, 3); // first keyframe at or past 2 s
        Assert.Equal(3.0, playlist.TotalDuration, 3); // the frames held during the probe are not lost

        var first = TsReader.Packets(File.ReadAllBytes(run.SegmentPath(playlist.Segments[0].Uri)));
        Assert.Equal(firstPts, TsReader.Pes(first, VideoPid)[0].Pts);
        Assert.DoesNotContain(first, p => p.Pid == AudioPid);

        using var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(run.SegmentPath(playlist.Segments[1].Uri), "-show_streams"));
        var stream = Assert.Single(probe.RootElement.GetProperty("streams").EnumerateArray());
        Assert.Equal("h264", stream.GetProperty("codec_name").GetString());
        Assert.Equal(854, stream.GetProperty("width").GetInt32());
        Assert.Equal(480, stream.GetProperty("height").GetInt32());

        var variant = Assert.Single(MasterPlaylistText.Parse(run.Output.MasterPlaylist!).Variants);
        Assert.Equal("854x480", variant.Attributes["RESOLUTION"]);
        Assert.DoesNotContain("mp4a", variant.Attributes["CODECS"], StringComparison.Ordinal);
        Assert.Equal("25.000", variant.Attributes["FRAME-RATE"]);
    }

    [Fact]
    public async Task A_stream_shorter_than_the_track_probe_still_gets_a_playlist()
    {
        using var vector = VectorFrames.Read("aac-44100-mono.flv"); // 0.5 s of audio, less than the 1 s probe
        using var run = new PackagingRun(new HlsOptions { TrackProbeSeconds = 1 });

        await run.RunAsync(LoopedFrames.Loop(vector, 1));

        var playlist = MediaPlaylistText.Parse(run.Rendition.Playlist!);
        Assert.True(playlist.Ended);
        var segment = Assert.Single(playlist.Segments);
        Assert.InRange(segment.Duration, 0.4, 0.6);
    }

    [Fact]
    public async Task A_malformed_video_frame_is_dropped_with_a_warning_and_the_stream_goes_on()
    {
        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        using var run = new PackagingRun(new HlsOptions());
        var frames = LoopedFrames.Loop(vector, 3).ToList();
        var videoOfSecondCopy = frames.Select((f, i) => (f, i)).Where(x => x.f.Kind == TrackKind.Video).Skip(70).First();
        Assert.False(videoOfSecondCopy.f.IsKeyFrame);
        frames[videoOfSecondCopy.i] = LoopedFrames.Malformed(videoOfSecondCopy.f);
        videoOfSecondCopy.f.Release();

        await run.RunAsync(frames);

        var playlist = MediaPlaylistText.Parse(run.Rendition.Playlist!);
        Assert.True(playlist.Ended);
        Assert.Equal(["2.000", "2.000", "2.000"], playlist.Segments.Select(s => s.RawDuration));
        var videoPerSegment = playlist.Segments.Select(s => TsReader.Pes(TsReader.Packets(File.ReadAllBytes(run.SegmentPath(s.Uri))), VideoPid).Count).ToList();
        Assert.Equal([60, 59, 60], videoPerSegment);
        var warning = Assert.Single(run.Log.Entries, e => e.EventId == 2004);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
    }

    [Fact]
    public async Task A_publisher_with_1_5_s_gops_gets_a_target_duration_of_2_and_one_gop_per_segment()
    {
        // The 30-frame GOPs of the vector, timed at 20 fps: 1.5 s between keyframes.
        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        using var run = new PackagingRun(new HlsOptions());
        var video = vector.Frames.Where(f => f.Kind == TrackKind.Video).ToList();
        var frames = Enumerable.Range(0, 6 * video.Count).Select(n =>
        {
            var source = video[n % video.Count];
            var dts = MediaTime.FromMilliseconds(n * 50L);
            return MediaFrame.Create(TrackKind.Video, dts, dts + (source.Pts - source.Dts) * 50 / 33, source.IsKeyFrame, source.Config, source.Span);
        });

        await run.RunAsync(frames); // 18 s, video only

        var playlist = MediaPlaylistText.Parse(run.Rendition.Playlist!);
        Assert.Equal(2, playlist.TargetDuration);
        Assert.All(playlist.Segments, s => Assert.Equal("1.500", s.RawDuration));
    }

    [Fact]
    public async Task A_publisher_whose_timestamps_restart_gets_a_discontinuity_and_the_playlist_carries_on()
    {
        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        using var run = new PackagingRun(new HlsOptions());
        var frames = LoopedFrames.Loop(vector, 2).Concat(LoopedFrames.Loop(vector, 8)); // 4 s, then the clock restarts at 0 for 16 s

        await run.RunAsync(frames);

        var all = run.Snapshots.SelectMany(s => s.Parsed.Segments).DistinctBy(s => s.Uri).ToList();
        Assert.Equal(10, all.Count);
        Assert.Equal([false, false, true, false, false, false, false, false, false, false], all.Select(s => s.Discontinuity));
        Assert.All(run.Snapshots, s => Assert.Equal(2, s.Parsed.TargetDuration));
        Assert.All(all, s => Assert.Equal("2.000", s.RawDuration));
        for (var n = 1; n < all.Count; n++)
        {
            Assert.True(all[n].ProgramDateTime >= all[n - 1].ProgramDateTime + TimeSpan.FromSeconds(all[n - 1].Duration), $"PROGRAM-DATE-TIME goes backwards at segment {n}");
        }

        var restart = TsReader.Pes(TsReader.Packets(File.ReadAllBytes(run.SegmentPath(all[2].Uri))), VideoPid)[0];
        Assert.True(restart.First.RandomAccess);
        Assert.Equal(vector.Frames.First(f => f.Kind == TrackKind.Video).Pts, restart.Pts);

        // Once the discontinuity has left the window, the playlist counts it instead.
        foreach (var snapshot in run.Snapshots)
        {
            var leftWindow = snapshot.Parsed.MediaSequence > 2;
            Assert.Equal(leftWindow ? 1 : 0, snapshot.Parsed.DiscontinuitySequence);
            Assert.Equal(snapshot.Parsed.Segments.Any(s => s.Uri == all[2].Uri), snapshot.Parsed.Segments.Any(s => s.Discontinuity));
        }

        Assert.Contains(run.Log.Entries, e => e.EventId == 2009);
    }

    [Fact]
    public async Task Video_of_another_codec_than_the_ts_segments_carry_is_dropped_with_a_few_logged_reasons()
    {
        // 4 s of H.264 (TS segments, so the PMT says H.264), then 3 s of H.265 as a publisher that came back with HEVC sends it.
        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var probe = await ProbeResult.OfVectorAsync("hevc-320x180-main.mp4");
        var hevc = HevcConfig.Parse(probe.Video!.Extradata);
        var keyFrame = probe.PacketsOf("video").First(p => p.IsKey).Data;
        var frames = LoopedFrames.Loop(vector, 2).ToList();
        var next = frames.Max(f => f.Dts) + (MediaTime.TicksPerSecond / 30);
        frames.AddRange(Enumerable.Range(0, 90).Select(i => MediaFrame.Create(TrackKind.Video, next + (i * 3000), next + (i * 3000), i % 30 == 0, hevc, keyFrame)));
        using var run = new PackagingRun(new HlsOptions());

        await run.RunAsync(frames); // and no packaging failure (event 2005)

        var dropped = run.Log.Entries.Where(e => e.EventId == 2004).ToList();
        Assert.Equal(RepeatedWarning.DefaultBurst, dropped.Count); // 90 drops, a burst logged one by one, the rest counted
        Assert.Contains(hevc.CodecString, dropped[0].Message, StringComparison.Ordinal);
        Assert.Contains("hls.segmentFormat fmp4", dropped[0].Message, StringComparison.Ordinal);
        Assert.True(run.Snapshots[^1].Parsed.Segments.Count >= 2, "the H.264 before the change was packaged");
    }
}
