using OnAir.Packaging.Hls;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>The live media playlist text as a player parses it (RFC 8216 section 4.3).</summary>
public sealed class MediaPlaylistWriterTests
{
    private static readonly DateTimeOffset s_start = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

    [Fact]
    public void A_live_window_lists_its_segments_in_order_under_the_first_ones_media_sequence()
    {
        var window = Window(firstSequence: 41, 2.0, 2.0, 1.5);

        var text = MediaPlaylistWriter.Write(2, window, ended: false);
        var playlist = MediaPlaylistText.Parse(text);

        Assert.StartsWith("#EXTM3U\n", text, StringComparison.Ordinal);
        Assert.Equal(3, playlist.Version);
        Assert.Equal(2, playlist.TargetDuration);
        Assert.Equal(41, playlist.MediaSequence);
        Assert.False(playlist.Ended);
        Assert.DoesNotContain("#EXT-X-ENDLIST", text, StringComparison.Ordinal);
        Assert.Equal(window.Select(s => s.FileName), playlist.Segments.Select(s => s.Uri));
        Assert.Equal(["2.000", "2.000", "1.500"], playlist.Segments.Select(s => s.RawDuration));
    }

    [Fact]
    public void Extinf_has_exactly_three_decimals_rounded_to_the_nearest_millisecond()
    {
        var window = Window(firstSequence: 0, 2.0333333333, 1.96666666, 10.0, 0.0214);

        var playlist = MediaPlaylistText.Parse(MediaPlaylistWriter.Write(10, window, ended: false));

        Assert.Equal(["2.033", "1.967", "10.000", "0.021"], playlist.Segments.Select(s => s.RawDuration));
    }

    [Fact]
    public void Program_date_time_is_utc_iso_8601_with_milliseconds_whatever_the_offset_it_was_taken_in()
    {
        var local = new DateTimeOffset(2025, 12, 31, 23, 59, 59, 7, TimeSpan.FromHours(-5));
        var segment = new SegmentInfo(0, "a-0.ts", "/x/a-0.ts", 0, 2.0, 1000, local, true, 60);

        var playlist = MediaPlaylistText.Parse(MediaPlaylistWriter.Write(2, [segment], ended: false));

        var listed = Assert.Single(playlist.Segments);
        Assert.Equal("2026-01-01T04:59:59.007Z", listed.RawProgramDateTime);
        Assert.Equal(local, listed.ProgramDateTime);
    }

    [Fact]
    public void Consecutive_program_date_times_advance_by_the_previous_segments_duration()
    {
        var window = Window(firstSequence: 7, 2.0, 1.5, 2.25, 2.0);

        var playlist = MediaPlaylistText.Parse(MediaPlaylistWriter.Write(3, window, ended: false));

        for (var i = 1; i < playlist.Segments.Count; i++)
        {
            var gap = playlist.Segments[i].ProgramDateTime - playlist.Segments[i - 1].ProgramDateTime;
            Assert.Equal(TimeSpan.FromSeconds(playlist.Segments[i - 1].Duration), gap);
        }
    }

    [Fact]
    public void An_ended_playlist_closes_with_endlist_as_its_last_line()
    {
        var window = Window(firstSequence: 3, 2.0, 2.0);

        var text = MediaPlaylistWriter.Write(2, window, ended: true);
        var playlist = MediaPlaylistText.Parse(text);

        Assert.True(playlist.Ended);
        Assert.EndsWith("\n#EXT-X-ENDLIST\n", text, StringComparison.Ordinal);
        Assert.Equal(2, playlist.Segments.Count);
        Assert.Equal(3, playlist.MediaSequence);
    }

    [Fact]
    public void The_target_duration_is_written_as_given_and_bounds_every_listed_segment()
    {
        var window = Window(firstSequence: 0, 4.0, 4.0, 3.6);

        var playlist = MediaPlaylistText.Parse(MediaPlaylistWriter.Write(4, window, ended: false));

        Assert.Equal(4, playlist.TargetDuration);
        Assert.All(playlist.Segments, s => Assert.True(Math.Round(s.Duration, MidpointRounding.AwayFromZero) <= playlist.TargetDuration));
    }

    [Fact]
    public void A_segment_on_a_new_timeline_is_preceded_by_a_discontinuity_tag_and_only_it()
    {
        var window = Window(firstSequence: 10, 2.0, 2.0, 2.0, 2.0);
        window[2] = window[2] with { Discontinuity = true };

        var text = MediaPlaylistWriter.Write(2, window, ended: false);
        var playlist = MediaPlaylistText.Parse(text);

        Assert.Equal([false, false, true, false], playlist.Segments.Select(s => s.Discontinuity));
        Assert.Equal(0, playlist.DiscontinuitySequence);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY-SEQUENCE", text, StringComparison.Ordinal);
        Assert.Contains($"#EXT-X-DISCONTINUITY\n#EXT-X-PROGRAM-DATE-TIME:{playlist.Segments[2].RawProgramDateTime}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Discontinuities_that_left_the_window_are_counted_in_the_discontinuity_sequence_before_the_first_segment()
    {
        var window = Window(firstSequence: 10, 2.0, 2.0);

        var playlist = MediaPlaylistText.Parse(MediaPlaylistWriter.Write(2, window, ended: false, discontinuitySequence: 3));

        Assert.Equal(3, playlist.DiscontinuitySequence);
        Assert.Equal(10, playlist.MediaSequence);
    }

    private static List<SegmentInfo> Window(long firstSequence, params double[] durations)
    {
        var segments = new List<SegmentInfo>();
        var pdt = s_start;
        for (var i = 0; i < durations.Length; i++)
        {
            var sequence = firstSequence + i;
            segments.Add(new SegmentInfo(sequence, $"18f2c0ffee0042-{sequence}.ts", $"/data/live/cam/18f2c0ffee0042/source/18f2c0ffee0042-{sequence}.ts", 0, durations[i], 250_000, pdt, true, 60));
            pdt += TimeSpan.FromSeconds(durations[i]);
        }

        return segments;
    }
}
