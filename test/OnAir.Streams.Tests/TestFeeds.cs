using Microsoft.Extensions.Options;
using OnAir.Media;

namespace OnAir.Streams.Tests;

internal static class TestFeeds
{
    /// <summary>Generous bound for an await that should complete at once; a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static MediaFeed Feed(int subscriberQueueFrames = 1024, int gopCacheMaxFrames = 1024) =>
        new(new StreamsOptions { SubscriberQueueFrames = subscriberQueueFrames, GopCacheMaxFrames = gopCacheMaxFrames });

    public static StreamRegistry Registry(StreamsOptions? options = null, TimeProvider? time = null) =>
        new(Options.Create(options ?? new StreamsOptions()), time ?? TimeProvider.System);

    public static async Task<MediaFrame?> NextAsync(this Subscription subscription) =>
        await subscription.ReadAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);

    /// <summary>Reads the next frame, asserts it is frame <paramref name="index"/> of <paramref name="frames"/>, and releases it.</summary>
    public static async Task ExpectAsync(this Subscription subscription, VectorFrames frames, int index)
    {
        var frame = await subscription.NextAsync();
        Assert.NotNull(frame);
        var expected = frames[index];
        Assert.True(
            (expected.Kind, expected.Dts, expected.IsKeyFrame) == (frame.Kind, frame.Dts, frame.IsKeyFrame),
            $"expected frame #{index} ({expected.Kind} dts={expected.Dts}{(expected.IsKeyFrame ? " key" : "")}), read {frame}");
        frame.Release();
    }

    public static void WriteRange(this MediaFeed feed, VectorFrames frames, int start, int count)
    {
        for (var i = start; i < start + count; i++)
        {
            feed.Write(frames.Create(i));
        }
    }
}
