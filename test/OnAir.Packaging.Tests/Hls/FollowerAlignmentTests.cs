using OnAir.Media;
using OnAir.Packaging.Hls;
using OnAir.Testing;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// Transcoded renditions follow the source's segment boundaries (<see cref="SegmentTimeline"/>):
/// segment N starts at the same time and has the same number in every rendition, whatever the
/// transcoder's keyframe jitter (a frame), late start or restart.
/// </summary>
public sealed class FollowerAlignmentTests : IDisposable
{
    private const int Copies = 10;
    private static readonly long s_oneFrame = MediaTime.TicksPerSecond / 30;
    private readonly VectorFrames _vector = VectorFrames.Read("h264-aac-320x240-2s.flv");

    public void Dispose() => _vector.Dispose();

    [Fact]
    public async Task A_follower_with_keyframes_a_frame_late_cuts_where_the_source_did_with_the_same_numbers()
    {
        using var source = new PackagingRun(new HlsOptions());
        await source.RunAsync(LoopedFrames.Loop(_vector, Copies));
        using var rung = new PackagingRun(new HlsOptions(), follows: source.Timeline, renditionName: "360p");
        await rung.RunAsync(Shifted(LoopedFrames.Loop(_vector, Copies), s_oneFrame));

        var expected = source.Snapshots[^1].Parsed;
        var actual = rung.Snapshots[^1].Parsed;
        Assert.True(actual.Ended);
        Assert.Equal(expected.TargetDuration, actual.TargetDuration);
        Assert.Equal(expected.MediaSequence, actual.MediaSequence);
        Assert.Equal(expected.Segments.Select(s => s.Uri), actual.Segments.Select(s => s.Uri));
        for (var i = 0; i < expected.Segments.Count; i++)
        {
            var frame = MediaTime.ToTimeSpan(s_oneFrame);
            Assert.InRange(actual.Segments[i].ProgramDateTime - expected.Segments[i].ProgramDateTime, TimeSpan.Zero, frame + TimeSpan.FromMilliseconds(1));
            Assert.InRange(actual.Segments[i].Duration, expected.Segments[i].Duration - 0.034, expected.Segments[i].Duration + 0.034);
        }

        // Every live publish too: the same window as the source's at the same point.
        Assert.Equal(
            source.Snapshots.Where(s => !s.Parsed.Ended).Select(s => s.Parsed.MediaSequence),
            rung.Snapshots.Where(s => !s.Parsed.Ended).Select(s => s.Parsed.MediaSequence));
    }

    [Fact]
    public async Task A_follower_that_starts_late_starts_at_a_source_boundary_with_its_number()
    {
        using var source = new PackagingRun(new HlsOptions());
        await source.RunAsync(LoopedFrames.Loop(_vector, Copies));
        var period = LoopedFrames.Period(_vector);

        // The transcoder's first output lands in the middle of segment 2.
        using var rung = new PackagingRun(new HlsOptions(), follows: source.Timeline, renditionName: "360p");
        await rung.RunAsync(LoopedFrames.Loop(_vector, Copies).Where(f => Keep(f, f.Dts >= (2 * period) + (period / 2))));

        var first = rung.Snapshots[0].Parsed;
        Assert.Equal(3, first.MediaSequence);
        Assert.Equal($"{PackagingRun.StreamId}-3.ts", first.Segments[0].Uri);
        var sourceSegment3 = source.Snapshots.Select(s => s.Parsed.Segments).SelectMany(s => s).First(s => s.Uri == first.Segments[0].Uri);
        Assert.Equal(sourceSegment3.ProgramDateTime, first.Segments[0].ProgramDateTime);
        Assert.Equal($"{PackagingRun.StreamId}-{Copies - 1}.ts", rung.Snapshots[^1].Parsed.Segments[^1].Uri);
    }

    [Fact]
    public async Task Segments_a_restarted_transcoder_missed_are_gaps_and_the_numbers_stay_aligned()
    {
        using var source = new PackagingRun(new HlsOptions());
        await source.RunAsync(LoopedFrames.Loop(_vector, Copies));
        var period = LoopedFrames.Period(_vector);

        // Output stops in segment 3 (a crash) and resumes with segment 6, marked as a new timeline.
        var resumed = false;
        var frames = LoopedFrames.Loop(_vector, Copies)
            .Where(f => Keep(f, f.Dts < (3 * period) + (period / 2) || f.Dts >= 6 * period))
            .Select(f =>
            {
                if (!resumed && f.Dts >= 6 * period)
                {
                    resumed = true;
                    f.Discontinuity = true;
                }

                return f;
            });
        using var rung = new PackagingRun(new HlsOptions(), follows: source.Timeline, renditionName: "360p");
        await rung.RunAsync(frames);

        var final = rung.Snapshots[^1].Parsed;
        var expected = source.Snapshots[^1].Parsed;
        Assert.Equal(expected.MediaSequence, final.MediaSequence); // 4: the window of 6 ends at segment 9
        Assert.Equal(expected.Segments.Select(s => s.Uri), final.Segments.Select(s => s.Uri));
        Assert.Equal([true, true, false, false, false, false], final.Segments.Select(s => s.Gap));
        Assert.Equal([false, false, true, false, false, false], final.Segments.Select(s => s.Discontinuity));
        Assert.Equal(expected.Segments[0].ProgramDateTime, final.Segments[0].ProgramDateTime);
        Assert.Equal(expected.Segments[0].Duration, final.Segments[0].Duration, 3);

        // The segment cut short by the crash is listed with the media it has; gaps are never downloadable.
        var cutShort = rung.Snapshots.Select(s => s.Parsed.Segments).SelectMany(s => s).First(s => s.Uri.EndsWith("-3.ts", StringComparison.Ordinal));
        Assert.InRange(cutShort.Duration, 0.9, 1.1);
        Assert.False(rung.Rendition.TryGetSegment($"{PackagingRun.StreamId}-4.ts", out _));
        Assert.False(File.Exists(rung.SegmentPath($"{PackagingRun.StreamId}-4.ts")));
    }

    /// <summary>Releases the frames a test leaves out (they are rented).</summary>
    private static bool Keep(MediaFrame frame, bool keep)
    {
        if (!keep)
        {
            frame.Release();
        }

        return keep;
    }

    private static IEnumerable<MediaFrame> Shifted(IEnumerable<MediaFrame> frames, long ticks)
    {
        foreach (var frame in frames)
        {
            if (frame.Kind == TrackKind.Video)
            {
                frame.ShiftTimestamps(ticks);
            }

            yield return frame;
        }
    }
}
