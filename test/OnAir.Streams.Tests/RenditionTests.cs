namespace OnAir.Streams.Tests;

/// <summary>Renditions added to a live stream (a transcoder's rungs) are announced before their first frame and end with the stream.</summary>
public class RenditionTests
{
    [Fact]
    public async Task An_added_rendition_is_announced_before_its_first_frame_and_ends_with_the_stream()
    {
        var registry = TestFeeds.Registry();
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("cam", "s1", out var publisher));
        var stream = publisher!.Stream;
        Subscription? subscription = null;
        stream.RenditionAdded += (_, rendition) => subscription = rendition.Feed.Subscribe("test");

        var low = stream.AddRendition("low");
        low.Feed.Write(VectorFrames.AudioVideo.Create(0));

        Assert.NotNull(subscription);
        Assert.Equal(["source", "low"], stream.Renditions.Select(r => r.Name));
        Assert.Throws<InvalidOperationException>(() => stream.AddRendition("low"));

        publisher.Dispose();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var first = await subscription!.ReadAsync(cts.Token);
        Assert.NotNull(first); // the frame written right after the announcement
        first!.Release();
        Assert.Null(await subscription.ReadAsync(cts.Token)); // the rendition ended with the stream
        Assert.Throws<InvalidOperationException>(() => stream.AddRendition("late"));
        subscription.Dispose();
    }
}
