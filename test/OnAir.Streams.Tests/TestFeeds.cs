using System.Threading.Channels;
using Microsoft.Extensions.Options;
using OnAir.Media;

namespace OnAir.Streams.Tests;

internal static class TestFeeds
{
    /// <summary>Generous bound for an await that should complete at once; a hang fails the test instead of the run.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static MediaFeed Feed(int subscriberQueueFrames = 1024, int gopCacheMaxFrames = 1024) =>
        new(new StreamsOptions { SubscriberQueueFrames = subscriberQueueFrames, GopCacheMaxFrames = gopCacheMaxFrames });

    public static StreamRegistry Registry(StreamsOptions? options = null, TimeProvider? time = null, LifecycleOptions? lifecycle = null) =>
        new(Options.Create(options ?? new StreamsOptions()), Options.Create(lifecycle ?? new LifecycleOptions()), new StreamEvents(), time ?? TimeProvider.System);

    /// <summary>Publishes and asserts the outcome; returns the publisher on success.</summary>
    public static async Task<StreamPublisher?> PublishAsync(this StreamRegistry registry, string key, PublishResult expected, string connection = "c")
    {
        var attempt = await registry.PublishAsync(key, connection, "127.0.0.1:1").WaitAsync(Timeout);
        Assert.Equal(expected, attempt.Result);
        return attempt.Publisher;
    }

    public static async Task<StreamEvent> NextAsync(this ChannelReader<StreamEvent> events) =>
        await events.ReadAsync().AsTask().WaitAsync(Timeout);

    /// <summary>Reads events until one of <paramref name="kind"/> for <paramref name="stream"/> (other streams' events and other kinds are skipped).</summary>
    public static async Task<StreamEvent> NextAsync(this ChannelReader<StreamEvent> events, StreamEventKind kind, LiveStream? stream = null)
    {
        while (true)
        {
            var next = await events.NextAsync();
            if (next.Kind == kind && (stream is null || next.Stream == stream))
            {
                return next;
            }
        }
    }

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
