namespace OnAir.Streams.Tests;

/// <summary>Renditions added to a live stream (a transcoder's rungs) are announced to observers, keep their first keyframe for them, and end with the stream.</summary>
public class RenditionTests
{
    [Fact]
    public async Task An_added_rendition_is_announced_keeps_its_first_keyframe_for_the_observer_and_ends_with_the_stream()
    {
        var registry = TestFeeds.Registry();
        var events = registry.Events.Subscribe();
        var publisher = await registry.PublishAsync("cam", PublishResult.Started);
        var stream = publisher!.Stream;

        var low = stream.AddRendition("low");
        low.Feed.Write(VectorFrames.AudioVideo.Create(0)); // before the observer has heard of it

        var added = await events.NextAsync(StreamEventKind.RenditionAdded);
        Assert.Same(low, added.Rendition);
        var subscription = added.Rendition!.Feed.Subscribe("test");
        Assert.Equal(["source", "low"], stream.Renditions.Select(r => r.Name));
        Assert.Throws<InvalidOperationException>(() => stream.AddRendition("low"));

        publisher.Unpublish();
        var first = await subscription.NextAsync();
        Assert.NotNull(first); // the keyframe written before the observer subscribed
        Assert.True(first!.IsKeyFrame);
        first.Release();
        Assert.Null(await subscription.NextAsync()); // the rendition ended with the stream
        Assert.Throws<InvalidOperationException>(() => stream.AddRendition("late"));
        subscription.Dispose();
    }
}
