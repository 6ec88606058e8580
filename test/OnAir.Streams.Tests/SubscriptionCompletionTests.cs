namespace OnAir.Streams.Tests;

/// <summary>When a stream ends, every output finishes what it was given (the last segment, the recording's tail) and then sees the end.</summary>
public class SubscriptionCompletionTests
{
    [Fact]
    public async Task After_complete_queued_frames_drain_in_order_then_reads_return_null()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("hls");
        feed.WriteRange(frames, 0, 12);

        feed.Complete();

        Assert.True(feed.IsCompleted);
        for (var i = 0; i < 12; i++)
        {
            await reader.ExpectAsync(frames, i);
        }

        Assert.Null(await reader.NextAsync());
        Assert.Null(await reader.NextAsync());
    }

    [Fact]
    public async Task Pending_read_completes_with_null_when_the_feed_completes()
    {
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("hls");
        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        feed.Complete();

        Assert.Null(await pending.WaitAsync(TestFeeds.Timeout));
    }

    [Fact]
    public async Task Pending_read_is_woken_by_the_next_frame()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("hls");
        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        feed.WriteRange(frames, 0, 1);

        var frame = await pending.WaitAsync(TestFeeds.Timeout);
        Assert.Equal(frames[0].Dts, frame!.Dts);
        frame.Release();
    }

    [Fact]
    public async Task Cancelled_read_throws_and_leaves_the_subscription_usable()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("hls");
        using var cts = new CancellationTokenSource();
        var pending = reader.ReadAsync(cts.Token).AsTask();

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(TestFeeds.Timeout));
        feed.WriteRange(frames, 0, 1);
        await reader.ExpectAsync(frames, 0);
    }

    [Fact]
    public async Task Subscribing_after_completion_reads_null_at_once()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        feed.WriteRange(frames, 0, 5); // cached GOP, released by Complete
        feed.Complete();

        using var reader = feed.Subscribe("late");

        Assert.Equal(0, reader.QueuedFrames);
        Assert.Null(await reader.NextAsync());
    }

    [Fact]
    public async Task Frames_written_after_completion_are_released_not_delivered()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("hls");
        feed.Complete();

        var late = frames.Create(0);
        feed.Write(late);

        Assert.Equal(0, late.ReferenceCount);
        Assert.Equal(0, feed.FramesWritten);
        Assert.Null(await reader.NextAsync());
    }

    [Fact]
    public void Disposing_a_reader_releases_what_it_had_queued()
    {
        var frames = VectorFrames.AudioVideo;
        // A one-frame cache gives up on this GOP at its second frame, so only the reader holds references.
        var feed = TestFeeds.Feed(gopCacheMaxFrames: 1);
        var reader = feed.Subscribe("hls");
        var written = frames.CreateRange(0, 10);
        foreach (var frame in written)
        {
            feed.Write(frame);
        }

        Assert.All(written, f => Assert.Equal(1, f.ReferenceCount));
        reader.Dispose();

        Assert.All(written, f => Assert.Equal(0, f.ReferenceCount));
        feed.WriteRange(frames, 11, 3); // a disposed reader is no longer offered frames
        Assert.Equal(0, reader.QueuedFrames);
    }
}

/// <summary>Wake: the reader's loop gets a turn for timed work, in order after what is queued, without losing or repeating a frame.</summary>
public class SubscriptionWakeTests
{
    [Fact]
    public async Task A_wake_returns_null_once_after_the_frames_queued_before_it()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("test");
        feed.WriteRange(frames, 0, 3);

        reader.Wake();
        reader.Wake(); // wakes do not pile up
        feed.WriteRange(frames, 3, 1);

        for (var i = 0; i < 3; i++)
        {
            await reader.ExpectAsync(frames, i);
        }

        Assert.Null(await reader.NextAsync());
        Assert.False(reader.IsEnded);
        await reader.ExpectAsync(frames, 3); // the one wake marker was never handed out as a frame
        Assert.Equal(0, reader.QueuedFrames);
    }

    [Fact]
    public async Task A_wake_unblocks_a_reader_waiting_on_an_empty_queue_and_the_end_still_reads_as_the_end()
    {
        var feed = TestFeeds.Feed();
        using var reader = feed.Subscribe("test");
        var pending = reader.ReadAsync(CancellationToken.None).AsTask();
        Assert.False(pending.IsCompleted);

        reader.Wake();
        Assert.Null(await pending.WaitAsync(TestFeeds.Timeout));
        Assert.False(reader.IsEnded);

        feed.Complete();
        Assert.Null(await reader.NextAsync());
        Assert.True(reader.IsEnded);
    }
}
