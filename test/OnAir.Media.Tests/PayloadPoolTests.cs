using Microsoft.Extensions.Time.Testing;

namespace OnAir.Media.Tests;

/// <summary>
/// Frame payloads are pooled in quarter-octave sizes: a payload wastes at most a fifth of its array,
/// a returned array serves the next payload of its size, nothing that is not the pool's own gets in,
/// and arrays the streams stopped needing are let go, so a long run's memory follows its load.
/// </summary>
public class PayloadPoolTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_array_fits_its_payload_within_a_fifth_at_every_length()
    {
        for (var length = 1; length <= PayloadPool.MaxPooledLength; length = (int)(length * 1.07) + 1)
        {
            var size = PayloadPool.SizeFor(length);
            Assert.True(size >= length, $"{length} bytes got a {size}-byte array");
            Assert.True(size <= Math.Max(256, (length * 1.19) + 64), $"{length} bytes got a {size}-byte array");
        }
    }

    [Fact]
    public void A_returned_array_serves_the_next_payload_of_its_size()
    {
        var pool = new PayloadPool(_time);
        var first = pool.Rent(3_000_000);
        pool.Return(first);
        var second = pool.Rent(3_000_000 - 1000);
        Assert.Same(first, second);
    }

    [Fact]
    public void Arrays_that_are_not_the_pool_s_own_are_not_kept()
    {
        var pool = new PayloadPool(_time);
        var foreign = new byte[1000]; // between two sizes of the pool
        pool.Return(foreign);
        Assert.Equal(0, pool.FreeArrays);
        var rented = pool.Rent(1000);
        Assert.NotSame(foreign, rented);
        Assert.Equal(PayloadPool.SizeFor(1000), rented.Length);

        var huge = pool.Rent(PayloadPool.MaxPooledLength + 1);
        pool.Return(huge);
        Assert.Equal(PayloadPool.MaxPooledLength + 1, huge.Length); // allocated as asked, left to the GC
        Assert.Equal(0, pool.FreeArrays);
    }

    [Fact]
    public void Arrays_unused_for_a_whole_trim_interval_are_let_go_and_the_ones_in_use_kept()
    {
        var pool = new PayloadPool(_time);
        // A burst (ten streams' GOPs) fills the pool with ten arrays of one size.
        var burst = RentMany(pool, 10);
        burst.ForEach(pool.Return);
        _time.Advance(PayloadPool.TrimInterval); // the interval of the burst itself: all ten were needed
        Assert.Equal(10, pool.FreeArrays);

        // Then the load shrinks: three at a time, again and again, for a whole interval.
        List<byte[]> inUse = [];
        for (var round = 0; round < 5; round++)
        {
            inUse = RentMany(pool, 3);
            inUse.ForEach(pool.Return);
        }

        _time.Advance(PayloadPool.TrimInterval);
        Assert.Equal(3, pool.FreeArrays);
        var after = RentMany(pool, 3);
        Assert.Equal(inUse.ToHashSet(), after.ToHashSet()); // the arrays in use stay; the seven idle ones went
        after.ForEach(pool.Return);

        _time.Advance(PayloadPool.TrimInterval); // none needed at all for an interval: the pool empties
        _time.Advance(PayloadPool.TrimInterval);
        Assert.Equal(0, pool.FreeArrays);
    }

    private static List<byte[]> RentMany(PayloadPool pool, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => pool.Rent(20_000))];
}
