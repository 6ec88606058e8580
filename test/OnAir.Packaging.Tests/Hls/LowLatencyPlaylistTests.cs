using OnAir.Packaging.Hls;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>The LL-HLS tags of a media playlist (rfc8216bis) and the live edge that blocking requests are answered from.</summary>
public sealed class LowLatencyPlaylistTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 5, 1, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Server_control_part_inf_parts_hint_and_reports_follow_the_segments_they_belong_to()
    {
        var window = new[] { Segment(10, parts: 6), Segment(11, parts: 6) };
        var open = new[] { Part(12, 0, independent: true), Part(12, 1) };
        var tags = new LowLatencyTags(0.334, open, "s-12.2.m4s", [new RenditionReport("../360p/playlist.m3u8", 12, 0)], new OpenSegment(s_start.AddSeconds(4), Discontinuity: true, Map: "s-init1.mp4"));

        var text = MediaPlaylistWriter.Write(2, window, ended: false, lowLatency: tags);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

        Assert.Contains("#EXT-X-VERSION:9", lines);
        Assert.Contains("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=12.0,PART-HOLD-BACK=1.002,HOLD-BACK=6.0", lines);
        Assert.Contains("#EXT-X-PART-INF:PART-TARGET=0.334", lines);
        // A closed segment's parts come before its EXTINF; the open segment's tags before its first part.
        var first = Array.IndexOf(lines, "s-11.m4s");
        Assert.Equal("#EXTINF:2.000,", lines[first - 1]);
        Assert.Equal("#EXT-X-PART:DURATION=0.33333,URI=\"s-11.5.m4s\"", lines[first - 2]);
        var openStart = Array.IndexOf(lines, "#EXT-X-PART:DURATION=0.33333,URI=\"s-12.0.m4s\",INDEPENDENT=YES");
        Assert.Equal(["#EXT-X-DISCONTINUITY", "#EXT-X-MAP:URI=\"s-init1.mp4\"", "#EXT-X-PROGRAM-DATE-TIME:2026-12-05T01:00:04.000Z"], lines[(openStart - 3)..openStart]);
        Assert.Equal("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"s-12.2.m4s\"", lines[^2]);
        Assert.Equal("#EXT-X-RENDITION-REPORT:URI=\"../360p/playlist.m3u8\",LAST-MSN=12,LAST-PART=0", lines[^1]);
    }

    [Fact]
    public void Parts_are_listed_only_for_segments_within_three_target_durations_of_the_live_edge()
    {
        var window = Enumerable.Range(0, 6).Select(n => Segment(n, parts: 6)).ToList();
        var tags = new LowLatencyTags(0.334, [Part(6, 0, independent: true)], null, []);

        var text = MediaPlaylistWriter.Write(2, window, ended: false, lowLatency: tags);

        // Segment 3 ends 4.3 s before the live edge (0.33 s of open parts, then 4 and 5): listed. Segment 2 ends 6.3 s before it: not.
        Assert.DoesNotContain("s-2.0.m4s", text, StringComparison.Ordinal);
        Assert.Contains("s-3.0.m4s", text, StringComparison.Ordinal);
        Assert.Contains("s-5.5.m4s", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_delta_update_skips_the_segments_that_end_more_than_six_target_durations_before_the_end()
    {
        var window = Enumerable.Range(0, 12).Select(n => Segment(n, parts: 6)).ToList();
        var tags = new LowLatencyTags(0.334, [], null, []);

        var skip = MediaPlaylistWriter.SkippableSegments(2, window, tags);
        var delta = MediaPlaylistWriter.Write(2, window, ended: false, lowLatency: tags, skip: skip);

        Assert.Equal(6, skip); // 24 s listed, the last 12 s kept
        Assert.Contains("#EXT-X-SKIP:SKIPPED-SEGMENTS=6", delta, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MEDIA-SEQUENCE:0", delta, StringComparison.Ordinal);
        Assert.DoesNotContain("s-5.m4s", delta, StringComparison.Ordinal);
        Assert.Contains("#EXT-X-MAP:URI=\"s-init0.mp4\"\n#EXT-X-PROGRAM-DATE-TIME:2026-12-05T01:00:12.000Z\n", delta, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(11, null, true)] // segment 11 is complete
    [InlineData(12, null, false)] // segment 12 is still being written
    [InlineData(12, 1, true)] // its part 1 is listed
    [InlineData(12, 2, false)] // its part 2 is not yet
    [InlineData(11, 5, true)]
    [InlineData(11, 6, true)] // past the last part of 11 means part 0 of 12, which is listed
    [InlineData(5, 0, true)] // older than the window
    public void A_blocking_request_is_answered_once_its_segment_or_part_is_listed(long msn, int? part, bool answered)
    {
        var window = new[] { Segment(10, parts: 6), Segment(11, parts: 6) };
        var snapshot = new MediaPlaylistSnapshot([], null, window, [Part(12, 0, independent: true), Part(12, 1)], 12, 2, 0.334, ended: false);

        Assert.Equal(answered, snapshot.Satisfies(msn, part));
        Assert.Equal((11, 12, 1), (snapshot.LastSequence, snapshot.LastPartSequence, snapshot.LastPart));
    }

    [Theory]
    [InlineData(13, null, false)]
    [InlineData(14, null, true)] // more than the last complete segment plus two
    [InlineData(12, 4, false)]
    [InlineData(12, 5, true)] // more than three parts ahead
    [InlineData(13, 3, true)]
    public void A_request_too_far_ahead_is_refused(long msn, int? part, bool refused)
    {
        var window = new[] { Segment(10, parts: 6), Segment(11, parts: 6) };
        var snapshot = new MediaPlaylistSnapshot([], null, window, [Part(12, 0, independent: true), Part(12, 1)], 12, 2, 0.334, ended: false);

        Assert.Equal(refused, snapshot.IsTooFarAhead(msn, part, advancePartLimit: 3));
    }

    [Fact]
    public void A_gap_segment_answers_a_request_for_the_part_after_the_last_one_before_it()
    {
        var window = new[] { Segment(10, parts: 6), Segment(11, parts: 0, gap: true) };
        var snapshot = new MediaPlaylistSnapshot([], null, window, [], 12, 2, 0.334, ended: false);

        Assert.True(snapshot.Satisfies(10, 6)); // part 0 of 11: 11 is complete, as a gap
        Assert.False(snapshot.Satisfies(11, 1)); // part 0 of 12: not yet
    }

    private static SegmentInfo Segment(long sequence, int parts, bool gap = false) =>
        new(sequence, $"s-{sequence}.m4s", $"/x/s-{sequence}.m4s", sequence * 180_000, 2.0, gap ? 0 : 100_000, s_start.AddSeconds(2 * sequence), !gap, gap ? 0 : 60,
            Gap: gap, Parts: gap ? null : [.. Enumerable.Range(0, parts).Select(p => Part(sequence, p, independent: p == 0))], Map: "s-init0.mp4");

    private static PartInfo Part(long sequence, int index, bool independent = false) =>
        new(sequence, index, $"s-{sequence}.{index}.m4s", 1 / 3.0, independent, $"/x/s-{sequence}.m4s", index * 1000, 1000);
}
