namespace OnAir.Media.Tests;

/// <summary>
/// Frame payloads are pooled in quarter-octave sizes: a payload wastes at most a fifth of its array,
/// a returned array serves the next payload of its size, and nothing that is not the pool's own gets in.
/// </summary>
public class PayloadPoolTests
{
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
        // 3 MB: a size no other test rents, so the pool's one free array of it is this one.
        var first = PayloadPool.Rent(3_000_000);
        PayloadPool.Return(first);
        var second = PayloadPool.Rent(3_000_000 - 1000);
        Assert.Same(first, second);
        PayloadPool.Return(second);
    }

    [Fact]
    public void Arrays_that_are_not_the_pool_s_own_are_not_kept()
    {
        var foreign = new byte[1000]; // between two sizes of the pool
        PayloadPool.Return(foreign);
        var rented = PayloadPool.Rent(1000);
        Assert.NotSame(foreign, rented);
        Assert.Equal(PayloadPool.SizeFor(1000), rented.Length);

        var huge = PayloadPool.Rent(PayloadPool.MaxPooledLength + 1);
        Assert.Equal(PayloadPool.MaxPooledLength + 1, huge.Length); // allocated as asked, left to the GC
    }
}
