namespace OnAir.Media.Tests;

/// <summary>90 kHz media time: what segment durations and EXT-X-PROGRAM-DATE-TIME are computed from.</summary>
public class MediaTimeTests
{
    [Fact]
    public void Milliseconds_convert_exactly()
    {
        Assert.Equal(90_000, MediaTime.FromMilliseconds(1000));
        Assert.Equal(90_000, MediaTime.FromSeconds(1.0));
        Assert.Equal(2.002, MediaTime.ToSeconds(MediaTime.FromMilliseconds(2_002)));
        Assert.Equal(TimeSpan.FromMilliseconds(2_002), MediaTime.ToTimeSpan(MediaTime.FromMilliseconds(2_002)));
    }

    [Fact]
    public void Time_span_of_a_long_running_stream_does_not_overflow()
    {
        // A 24/7 stream reaches 200 days; RTMP timestamps unwrap past 2^32 ms (49.7 days) on purpose.
        var ticks = MediaTime.FromMilliseconds((long)TimeSpan.FromDays(200).TotalMilliseconds);
        Assert.Equal(TimeSpan.FromDays(200), MediaTime.ToTimeSpan(ticks));
    }
}
