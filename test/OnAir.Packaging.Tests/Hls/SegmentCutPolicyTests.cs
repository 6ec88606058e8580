using OnAir.Media;
using OnAir.Packaging.Hls;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// Where segments end, fed with synthetic video timestamps (90 kHz). What a player sees: segment
/// durations (EXTINF) and a TARGETDURATION that never changes and that no segment's duration,
/// rounded to the nearest integer, exceeds (RFC 8216 section 4.3.3.1).
/// </summary>
public sealed class SegmentCutPolicyTests
{
    private const long Second = MediaTime.TicksPerSecond;

    [Fact]
    public void One_second_gops_with_a_2_s_target_cut_every_2_s_at_keyframes()
    {
        var (segments, policy) = Segment(Timeline(fps: 30, Gops(1.0, 12)));

        Assert.Equal(2, policy.TargetDuration);
        Assert.Equal(5, segments.Count);
        Assert.All(segments, s =>
        {
            Assert.Equal(2 * Second, s.Duration);
            Assert.Equal(CutDecision.CutAtKeyFrame, s.EndedBy);
            Assert.True(s.StartsWithKey);
        });
    }

    [Fact]
    public void Gops_of_1_5_s_are_cut_early_so_segments_stay_within_a_target_duration_of_2()
    {
        // Waiting for the second keyframe would make the segment 3 s, which rounds above 2:
        // the target duration stays the configured 2 and every GOP becomes a segment.
        var (segments, policy) = Segment(Timeline(fps: 30, Gops(1.5, 8)));

        Assert.Equal(2, policy.TargetDuration);
        Assert.Equal(7, segments.Count);
        Assert.All(segments, s =>
        {
            Assert.Equal(Second * 3 / 2, s.Duration);
            Assert.Equal(CutDecision.CutAtKeyFrame, s.EndedBy);
        });
    }

    [Fact]
    public void A_4_s_gop_sets_the_target_duration_to_4_and_every_segment_is_one_gop()
    {
        var (segments, policy) = Segment(Timeline(fps: 30, Gops(4.0, 6)));

        Assert.Equal(4, policy.TargetDuration);
        Assert.Equal(5, segments.Count);
        Assert.All(segments, s =>
        {
            Assert.Equal(4 * Second, s.Duration);
            Assert.Equal(CutDecision.CutAtKeyFrame, s.EndedBy);
        });
    }

    [Fact]
    public void A_2_5_s_gop_rounds_half_away_from_zero_to_a_target_duration_of_3()
    {
        var (segments, policy) = Segment(Timeline(fps: 30, Gops(2.5, 6)));

        Assert.Equal(3, policy.TargetDuration);
        Assert.Equal(5, segments.Count);
        Assert.All(segments, s => Assert.Equal(Second * 5 / 2, s.Duration));
    }

    [Fact]
    public void A_gop_longer_than_the_maximum_is_cut_at_a_non_keyframe_before_it_rounds_above_10()
    {
        var (segments, policy) = Segment(Timeline(fps: 30, Gops(20.0, 3)), target: 2, max: 10);

        Assert.Equal(10, policy.TargetDuration);
        var first = segments[0];
        Assert.Equal(CutDecision.ForceCut, first.EndedBy);
        Assert.InRange(first.Duration, 10 * Second, (Second * 21 / 2) - 1); // cut before 10.5 s, not long before
        Assert.Contains(segments, s => !s.StartsWithKey);
        Assert.All(segments, s => Assert.True(Rounded(s.Duration) <= 10, $"segment at {s.Start} of {Seconds(s.Duration)} s"));
    }

    [Fact]
    public void Gops_that_grow_after_the_target_duration_is_fixed_are_cut_mid_gop_to_stay_within_it()
    {
        var (segments, policy) = Segment(Timeline(fps: 30, [.. Gops(1.0, 10), .. Gops(6.0, 5)]), target: 2);

        Assert.Equal(2, policy.TargetDuration);
        Assert.Contains(segments, s => s.EndedBy == CutDecision.ForceCut);
        Assert.All(segments, s => Assert.True(Rounded(s.Duration) <= 2, $"segment at {Seconds(s.Start)} s lasts {Seconds(s.Duration)} s"));

        // Each 6 s GOP still starts a segment at its keyframe, so a player joining there decodes at once.
        var keyframes = Timeline(fps: 30, [.. Gops(1.0, 10), .. Gops(6.0, 5)]).Where(f => f.Key).Select(f => f.Dts).Skip(11).SkipLast(1);
        Assert.All(keyframes, k => Assert.Contains(segments, s => s.Start == k));
    }

    [Fact]
    public void Millisecond_timestamps_of_a_30_fps_publisher_never_make_a_forced_cut_round_above_the_target()
    {
        // RTMP carries 30 fps as 33/34 ms steps. A forced cut predicts the next frame from the last
        // interval; 1 ms of jitter must not let a segment reach TARGETDURATION + 0.5 s.
        var frames = Timeline(fps: 30, [.. Gops(1.0, 4), .. Gops(7.0, 6)], millisecondTimestamps: true);
        var (segments, policy) = Segment(frames, target: 2);

        Assert.Equal(2, policy.TargetDuration);
        Assert.All(segments, s => Assert.True(Rounded(s.Duration) <= 2, $"segment at {Seconds(s.Start)} s lasts {Seconds(s.Duration):0.000} s"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    [InlineData(7)]
    [InlineData(8)]
    public void Random_gop_patterns_never_produce_a_segment_that_rounds_above_the_target_duration(int seed)
    {
        var random = new Random(seed);
        for (var run = 0; run < 40; run++)
        {
            var fps = new[] { 24.0, 25.0, 30.0, 30000 / 1001.0, 50.0, 60.0 }[random.Next(6)];
            var target = new[] { 1.0, 2.0, 2.0, 3.0, 4.0, 6.0 }[random.Next(6)];
            var max = random.Next(2) == 0 ? 10 : 6;
            var gops = new List<double>();
            for (var i = 0; i < 30; i++)
            {
                // Mostly steady keyframe intervals, sometimes a change, now and then a very long GOP.
                gops.Add(random.Next(10) switch
                {
                    < 6 => gops.Count > 0 ? gops[^1] : 0.5 + (random.NextDouble() * 4),
                    < 9 => 0.1 + (random.NextDouble() * 6),
                    _ => 6 + (random.NextDouble() * 14),
                });
            }

            var milliseconds = random.Next(2) == 0;
            var (segments, policy) = Segment(Timeline(fps, gops, milliseconds), target, max);
            var context = $"seed {seed} run {run}: {fps:0.###} fps{(milliseconds ? " (ms timestamps)" : "")}, target {target}, max {max}, GOPs [{string.Join(", ", gops.Select(g => g.ToString("0.00")))}]";

            Assert.True(policy.TargetDuration is { } td && td >= Math.Ceiling(target) && td <= Math.Max(max, Math.Ceiling(target)), $"{context}: TARGETDURATION {policy.TargetDuration}");
            foreach (var s in segments)
            {
                Assert.True(Rounded(s.Duration) <= policy.TargetDuration, $"{context}: segment at {Seconds(s.Start):0.000} s lasts {Seconds(s.Duration):0.000} s > TARGETDURATION {policy.TargetDuration}");
            }
        }
    }

    [Fact]
    public void The_target_duration_is_unknown_until_the_first_segment_closes_then_never_changes()
    {
        var policy = new SegmentCutPolicy(2, 10);
        Assert.Null(policy.TargetDuration);

        policy.OnSegmentClosed(4.2);
        Assert.Equal(4, policy.TargetDuration);

        policy.OnSegmentClosed(9.0);
        policy.OnSegmentClosed(1.0);
        Assert.Equal(4, policy.TargetDuration);
    }

    [Fact]
    public void A_first_segment_longer_than_the_maximum_still_gets_the_maximum_target_duration()
    {
        var policy = new SegmentCutPolicy(2, 10);
        policy.OnSegmentClosed(14.0);
        Assert.Equal(10, policy.TargetDuration);
    }

    private sealed record Cut(long Start, long Duration, bool StartsWithKey, CutDecision EndedBy);

    /// <summary>Runs the policy as the packager does: the first frame opens a segment, each decision that is not Continue closes it at that frame.</summary>
    private static (List<Cut> Segments, SegmentCutPolicy Policy) Segment(IEnumerable<(long Dts, bool Key)> frames, double target = 2, int max = 10)
    {
        var policy = new SegmentCutPolicy(target, max);
        var segments = new List<Cut>();
        long? start = null;
        var startKey = false;
        foreach (var (dts, key) in frames)
        {
            var decision = policy.Decide(dts, key, start ?? dts);
            if (start is null)
            {
                Assert.Equal(CutDecision.Continue, decision); // the frame that opens a segment cannot close it
                start = dts;
                startKey = key;
                continue;
            }

            if (decision == CutDecision.CutAtKeyFrame)
            {
                Assert.True(key, $"CutAtKeyFrame at non-keyframe {dts}");
            }

            if (decision != CutDecision.Continue)
            {
                var duration = dts - start.Value;
                segments.Add(new Cut(start.Value, duration, startKey, decision));
                policy.OnSegmentClosed(MediaTime.ToSeconds(duration));
                start = dts;
                startKey = key;
            }
        }

        return (segments, policy);
    }

    private static IEnumerable<double> Gops(double seconds, int count) => Enumerable.Repeat(seconds, count);

    /// <summary>Video frames at <paramref name="fps"/>, a keyframe starting each GOP (lengths in seconds, rounded to whole frames, at least one).</summary>
    private static List<(long Dts, bool Key)> Timeline(double fps, IEnumerable<double> gopSeconds, bool millisecondTimestamps = false)
    {
        var frames = new List<(long, bool)>();
        long index = 0;
        foreach (var gop in gopSeconds)
        {
            var count = Math.Max(1, (int)Math.Round(gop * fps));
            for (var i = 0; i < count; i++, index++)
            {
                var dts = millisecondTimestamps
                    ? MediaTime.FromMilliseconds((long)Math.Round(index * 1000 / fps))
                    : (long)Math.Round(index * MediaTime.TicksPerSecond / fps);
                frames.Add((dts, i == 0));
            }
        }

        return frames;
    }

    private static int Rounded(long ticks) => (int)Math.Round(MediaTime.ToSeconds(ticks), MidpointRounding.AwayFromZero);

    private static double Seconds(long ticks) => MediaTime.ToSeconds(ticks);
}
