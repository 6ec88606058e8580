using Microsoft.Extensions.Time.Testing;
using OnAir.Media;

namespace OnAir.Streams.Tests;

/// <summary>starting → live → reconnecting → live … → ended, in virtual time: what publishers, observers and readers see.</summary>
public class StreamLifecycleTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly LifecycleOptions _lifecycle = new() { ReconnectGraceSeconds = 15 };
    private readonly StreamRegistry _registry;
    private readonly System.Threading.Channels.ChannelReader<StreamEvent> _events;

    public StreamLifecycleTests()
    {
        _registry = TestFeeds.Registry(time: _time, lifecycle: _lifecycle);
        _events = _registry.Events.Subscribe();
    }

    [Fact]
    public async Task A_dropped_publisher_that_returns_within_the_grace_continues_the_same_stream_on_one_timeline()
    {
        var frames = VectorFrames.AudioVideo;
        var first = await _registry.PublishAsync("cam", PublishResult.Started, "c1");
        var stream = first!.Stream;
        var reader = stream.Source.Feed.Subscribe("hls");
        for (var i = 0; i < 10; i++)
        {
            first.Write(frames.Create(i));
        }

        var lastDts = frames[9].Dts;
        first.Dispose(); // the socket dropped: no unpublish

        var lost = await _events.NextAsync(StreamEventKind.Reconnecting);
        Assert.Equal(StreamState.Reconnecting, stream.State);
        Assert.Null(stream.Publisher);
        Assert.Equal("the publisher's connection was lost", lost.Reason);

        _time.Advance(TimeSpan.FromSeconds(7));
        var second = await _registry.PublishAsync("cam", PublishResult.Resumed, "c2");

        Assert.Same(stream, second!.Stream);
        await _events.NextAsync(StreamEventKind.Resumed, stream);
        Assert.Equal(StreamState.Live, stream.State);
        Assert.Equal(1, stream.Reconnects);
        Assert.Equal("c2", stream.Publisher!.ConnectionId);

        // The encoder restarted its clock at 0; the stream places it 7 s after where it left off.
        for (var i = 0; i < 3; i++)
        {
            second.Write(frames.Create(i));
        }

        for (var i = 0; i < 10; i++)
        {
            await reader.ExpectAsync(frames, i);
        }

        var resumed = await reader.NextAsync();
        Assert.NotNull(resumed);
        Assert.Equal(lastDts + MediaTime.FromSeconds(7), resumed!.Dts);
        Assert.True(resumed.Discontinuity);
        var offset = resumed.Dts - frames[0].Dts;
        resumed.Release();
        var next = await reader.NextAsync();
        Assert.Equal(frames[1].Dts + offset, next!.Dts); // the whole session moves by one offset
        Assert.False(next.Discontinuity);
        next.Release();

        // The old grace timer is gone: the stream outlives the first grace period.
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(StreamState.Live, stream.State);
        second.Dispose();
        reader.Dispose();
    }

    [Fact]
    public async Task After_the_grace_period_the_stream_ends_and_the_next_publish_is_a_new_session()
    {
        var first = await _registry.PublishAsync("cam", PublishResult.Started);
        var stream = first!.Stream;
        var reader = stream.Source.Feed.Subscribe("hls");
        first.Dispose();
        await _events.NextAsync(StreamEventKind.Reconnecting);

        _time.Advance(TimeSpan.FromSeconds(14.9));
        Assert.Equal(StreamState.Reconnecting, stream.State);
        _time.Advance(TimeSpan.FromSeconds(0.1));

        var ended = await _events.NextAsync(StreamEventKind.Ended);
        Assert.Same(stream, ended.Stream);
        Assert.Contains("did not come back within 15 s", ended.Reason, StringComparison.Ordinal);
        Assert.Equal(StreamState.Ended, stream.State);
        Assert.Null(await reader.NextAsync());
        Assert.True(reader.IsEnded);
        Assert.False(_registry.TryGet("cam", out _));
        Assert.True(_registry.TryGetIncludingEnded("cam", out var listed));
        Assert.Same(stream, listed);

        var next = await _registry.PublishAsync("cam", PublishResult.Started);
        Assert.NotSame(stream, next!.Stream);
        Assert.NotEqual(stream.SessionId, next.Stream.SessionId);
        Assert.True(_registry.TryGetIncludingEnded("cam", out listed));
        Assert.Same(next.Stream, listed); // the new session replaces the ended one in listings
        next.Dispose();
    }

    [Fact]
    public async Task An_ended_stream_stays_listed_for_the_ended_retention_then_is_forgotten()
    {
        _lifecycle.EndedRetentionSeconds = 30;
        var publisher = await _registry.PublishAsync("cam", PublishResult.Started);
        publisher!.Unpublish();
        await publisher.Stream.Completion.WaitAsync(TestFeeds.Timeout);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Single(_registry.StreamsWithRecentlyEnded);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Empty(_registry.StreamsWithRecentlyEnded);
    }

    [Fact]
    public async Task A_publisher_that_unpublishes_ends_the_stream_at_once()
    {
        var publisher = await _registry.PublishAsync("cam", PublishResult.Started);
        publisher!.Unpublish();
        publisher.Dispose(); // its connection closes right after

        var ended = await _events.NextAsync(StreamEventKind.Ended);
        Assert.Equal("the publisher unpublished", ended.Reason);
        Assert.Equal(_time.GetUtcNow(), publisher.Stream.EndedAt);
    }

    [Fact]
    public async Task With_end_on_unpublish_off_an_unpublish_waits_the_grace_like_a_drop()
    {
        _lifecycle.EndOnUnpublish = false;
        var publisher = await _registry.PublishAsync("cam", PublishResult.Started);
        publisher!.Unpublish();

        var lost = await _events.NextAsync(StreamEventKind.Reconnecting);
        Assert.Equal("the publisher unpublished", lost.Reason);
        await _registry.PublishAsync("cam", PublishResult.Resumed);
    }

    [Fact]
    public async Task While_live_a_second_publisher_is_refused_while_reconnecting_it_takes_the_stream_over()
    {
        var first = await _registry.PublishAsync("cam", PublishResult.Started, "c1");
        await _registry.PublishAsync("cam", PublishResult.NameInUse, "c2");
        first!.Dispose();
        await _events.NextAsync(StreamEventKind.Reconnecting);

        var second = await _registry.PublishAsync("cam", PublishResult.Resumed, "c3");
        await _registry.PublishAsync("cam", PublishResult.NameInUse, "c4");

        Assert.Equal("c3", second!.Stream.Publisher!.ConnectionId);
        first.Unpublish(); // the old session's late goodbye changes nothing
        await second.Stream.EndAsync("test").WaitAsync(TestFeeds.Timeout);
        Assert.Equal("test", (await _events.NextAsync(StreamEventKind.Ended)).Reason);
    }

    [Fact]
    public async Task A_second_drop_gets_a_full_grace_period_of_its_own()
    {
        var first = await _registry.PublishAsync("cam", PublishResult.Started);
        first!.Dispose();
        _time.Advance(TimeSpan.FromSeconds(10));
        var second = await _registry.PublishAsync("cam", PublishResult.Resumed);
        second!.Dispose();
        await _events.NextAsync(StreamEventKind.Reconnecting, second.Stream);
        await _events.NextAsync(StreamEventKind.Reconnecting, second.Stream);

        _time.Advance(TimeSpan.FromSeconds(10)); // the first grace would have expired here
        await _registry.PublishAsync("cam", PublishResult.Resumed);
        Assert.Equal(2, second.Stream.Reconnects);
    }

    [Fact]
    public async Task Ending_a_live_stream_disconnects_its_publisher_with_the_reason()
    {
        var publisher = await _registry.PublishAsync("cam", PublishResult.Started);
        var kicked = new TaskCompletionSource<string>();
        publisher!.OnKick(reason => kicked.TrySetResult(reason));

        Assert.True(await _registry.EndAsync("cam", "ended through the API"));

        Assert.Equal("ended through the API", await kicked.Task.WaitAsync(TestFeeds.Timeout));
        Assert.Equal(StreamState.Ended, publisher.Stream.State);
        Assert.False(await _registry.EndAsync("cam", "again"));
        Assert.False(await _registry.EndAsync("nobody", "x"));
    }

    [Fact]
    public async Task A_kick_registered_after_the_stream_ended_still_closes_the_connection()
    {
        var publisher = await _registry.PublishAsync("cam", PublishResult.Started);
        await _registry.EndAsync("cam", "shutdown");

        string? reason = null;
        publisher!.OnKick(r => reason = r);
        Assert.Equal("shutdown", reason);
    }

    [Fact]
    public async Task With_no_grace_a_drop_ends_the_stream()
    {
        _lifecycle.ReconnectGraceSeconds = 0;
        var publisher = await _registry.PublishAsync("cam", PublishResult.Started);
        publisher!.Dispose();
        Assert.Contains("no reconnect grace", (await _events.NextAsync(StreamEventKind.Ended)).Reason, StringComparison.Ordinal);
    }
}
