namespace OnAir.Streams.Tests;

/// <summary>
/// A viewer-facing output that joins a running stream (the packager after a restart, a recorder
/// started from the API) must start at a keyframe, at once when the current GOP is cached.
/// </summary>
public class GopCacheTests
{
    [Fact]
    public async Task Joining_mid_gop_first_receives_that_gops_keyframe_then_the_rest_in_order()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        var secondKey = frames.NextVideoKey(1);
        var joinAt = secondKey + 10;
        feed.WriteRange(frames, 0, joinAt);

        using var late = feed.Subscribe("late");

        Assert.Equal(joinAt - secondKey, late.QueuedFrames); // the latest GOP only, audio included
        for (var i = secondKey; i < joinAt; i++)
        {
            await late.ExpectAsync(frames, i);
        }

        feed.WriteRange(frames, joinAt, 2);
        await late.ExpectAsync(frames, joinAt);
        await late.ExpectAsync(frames, joinAt + 1);
    }

    [Fact]
    public async Task Joining_before_any_keyframe_gets_nothing_cached_and_starts_at_the_keyframe()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        var nextKey = frames.NextVideoKey(1);
        feed.WriteRange(frames, 1, 20); // joined mid-GOP: P/B frames and audio, no keyframe yet

        using var late = feed.Subscribe("late");
        Assert.Equal(0, late.QueuedFrames);

        feed.WriteRange(frames, nextKey, 2);
        await late.ExpectAsync(frames, nextKey);
        await late.ExpectAsync(frames, nextKey + 1);
    }

    [Fact]
    public async Task Joining_before_any_keyframe_receives_nothing_until_the_next_keyframe()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        var secondKey = frames.NextVideoKey(1);
        feed.WriteRange(frames, 1, 10); // the publisher's first keyframe was lost: no keyframe yet

        using var late = feed.Subscribe("late");
        feed.WriteRange(frames, 11, secondKey - 11); // still mid-GOP
        Assert.Equal(0, late.QueuedFrames);

        feed.WriteRange(frames, secondKey, 1);
        await late.ExpectAsync(frames, secondKey);
    }

    [Fact]
    public async Task Gop_of_exactly_the_cache_limit_is_cached()
    {
        var frames = VectorFrames.AudioVideo;
        const int Limit = 6;
        var feed = TestFeeds.Feed(gopCacheMaxFrames: Limit);
        feed.WriteRange(frames, 0, Limit); // keyframe + 5

        using var late = feed.Subscribe("late");

        Assert.Equal(Limit, late.QueuedFrames);
        for (var i = 0; i < Limit; i++)
        {
            await late.ExpectAsync(frames, i);
        }
    }

    [Fact]
    public async Task Gop_longer_than_the_cache_limit_is_not_cached_nor_held()
    {
        var frames = VectorFrames.AudioVideo;
        const int Limit = 6;
        var feed = TestFeeds.Feed(gopCacheMaxFrames: Limit);
        var secondKey = frames.NextVideoKey(1);
        var longGop = frames.CreateRange(0, Limit + 1);
        foreach (var frame in longGop)
        {
            feed.Write(frame);
        }

        using var late = feed.Subscribe("late");

        Assert.Equal(0, late.QueuedFrames);
        Assert.All(longGop, f => Assert.Equal(0, f.ReferenceCount)); // memory of a long GOP is not kept

        feed.WriteRange(frames, secondKey, 2);
        await late.ExpectAsync(frames, secondKey);
        await late.ExpectAsync(frames, secondKey + 1);
    }

    [Fact]
    public void A_new_keyframe_releases_the_previous_gop()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        var secondKey = frames.NextVideoKey(1);
        var written = frames.CreateRange(0, secondKey + 1);
        foreach (var frame in written)
        {
            feed.Write(frame);
        }

        Assert.All(written[..secondKey], f => Assert.Equal(0, f.ReferenceCount));
        Assert.Equal(1, written[secondKey].ReferenceCount); // the cache's own reference

        feed.Complete();
        Assert.Equal(0, written[secondKey].ReferenceCount);
    }
}
