using Microsoft.Extensions.Time.Testing;
using OnAir.Streams.Diagnostics;

namespace OnAir.Streams.Tests.Diagnostics;

/// <summary>A flood of one warning becomes a few lines and a count per interval; a lone one is always logged.</summary>
public class RepeatedWarningTests
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(10);

    [Fact]
    public void A_flood_logs_the_first_few_then_one_count_when_the_interval_ends()
    {
        var time = new FakeTimeProvider();
        var counts = new List<long>();
        using var warning = new RepeatedWarning(time, (count, _) => counts.Add(count), burst: 3, s_interval);

        var logged = Enumerable.Range(0, 100).Count(_ => warning.ShouldLog());
        Assert.Equal(3, logged);
        Assert.Empty(counts);

        time.Advance(s_interval);
        Assert.Equal([97L], counts);

        // The next interval starts afresh: its first ones are logged again.
        Assert.True(warning.ShouldLog());
        time.Advance(s_interval);
        Assert.Equal([97L], counts);
    }

    [Fact]
    public void Occasional_warnings_are_all_logged()
    {
        var time = new FakeTimeProvider();
        var counts = new List<long>();
        using var warning = new RepeatedWarning(time, (count, _) => counts.Add(count), burst: 2, s_interval);
        for (var i = 0; i < 20; i++)
        {
            Assert.True(warning.ShouldLog());
            time.Advance(TimeSpan.FromSeconds(6)); // two per interval at most
        }

        Assert.Empty(counts);
    }

    [Fact]
    public void What_is_still_counted_when_it_is_disposed_is_logged()
    {
        var time = new FakeTimeProvider();
        var counts = new List<long>();
        var warning = new RepeatedWarning(time, (count, _) => counts.Add(count), burst: 1, s_interval);
        warning.ShouldLog();
        warning.ShouldLog();
        warning.ShouldLog();
        warning.Dispose();
        Assert.Equal([2L], counts);
    }
}
