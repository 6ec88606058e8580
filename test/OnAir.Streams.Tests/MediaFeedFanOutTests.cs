using OnAir.Media;

namespace OnAir.Streams.Tests;

/// <summary>
/// One writer (the publisher) and many readers (HLS, recorder, transcoder). The publisher must
/// never be slowed by a stuck reader; a reader that falls behind loses whole GOPs and resumes at
/// a keyframe (a decodable point); a reader that keeps up loses nothing.
/// </summary>
public class MediaFeedFanOutTests
{
    private const int Capacity = 8;

    [Fact]
    public async Task Reader_that_never_reads_does_not_block_the_writer_and_resumes_at_a_video_keyframe()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed(subscriberQueueFrames: Capacity);
        using var stuck = feed.Subscribe("stuck");

        // Ten times its capacity; run off the test thread so a blocking writer fails instead of hanging.
        const int Written = 10 * Capacity;
        await Task.Run(() => feed.WriteRange(frames, 0, Written)).WaitAsync(TestFeeds.Timeout);

        Assert.Equal(Written, feed.FramesWritten);
        Assert.Equal(Capacity, stuck.QueuedFrames);
        Assert.Equal(Written - Capacity, stuck.DroppedFrames);

        // What was queued before the queue filled is delivered, in order.
        for (var i = 0; i < Capacity; i++)
        {
            await stuck.ExpectAsync(frames, i);
        }

        // The stream goes on; the reader has room again but must not resume mid-GOP.
        var nextKey = frames.NextVideoKey(Written);
        Assert.True(nextKey > Written, "the vector should put non-key frames between the gap and the next keyframe");
        feed.WriteRange(frames, Written, nextKey - Written + 3);

        await stuck.ExpectAsync(frames, nextKey);
        Assert.Equal(Written - Capacity + (nextKey - Written), stuck.DroppedFrames);
        for (var i = nextKey + 1; i <= nextKey + 2; i++)
        {
            await stuck.ExpectAsync(frames, i);
        }
    }

    [Fact]
    public async Task Reader_that_keeps_up_sees_every_frame_in_order_while_a_stuck_one_drops()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed(subscriberQueueFrames: Capacity);
        using var stuck = feed.Subscribe("stuck");
        using var fast = feed.Subscribe("fast");

        // Longer than the vector, so it also crosses the loop point.
        var total = frames.Count + 10 * Capacity;
        for (var i = 0; i < total; i++)
        {
            feed.Write(frames.Create(i));
            await fast.ExpectAsync(frames, i);
        }

        Assert.Equal(0, fast.DroppedFrames);
        Assert.Equal(0, fast.QueuedFrames);
        Assert.True(stuck.DroppedFrames > 0);
    }

    [Fact]
    public async Task Concurrent_reader_with_room_for_the_whole_stream_gets_every_frame_in_order()
    {
        var frames = VectorFrames.AudioVideo;
        var total = 3 * frames.Count;
        var feed = TestFeeds.Feed(subscriberQueueFrames: total);
        using var reader = feed.Subscribe("reader");

        var reading = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await reader.ExpectAsync(frames, i);
            }
        });
        feed.WriteRange(frames, 0, total);
        feed.Complete();

        await reading.WaitAsync(TestFeeds.Timeout);
        Assert.Null(await reader.NextAsync());
        Assert.Equal(0, reader.DroppedFrames);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_frame_is_released_once_readers_are_gone_and_the_feed_completed(bool completeFirst)
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed(subscriberQueueFrames: Capacity);
        var written = frames.CreateRange(0, frames.Count);

        var stuck = feed.Subscribe("stuck"); // overflows and drops
        var reader = feed.Subscribe("reader"); // reads some, leaves the rest queued
        Subscription? late = null; // joins mid-stream from the GOP cache
        for (var i = 0; i < written.Length; i++)
        {
            feed.Write(written[i]);
            if (i % 3 == 0 && reader.QueuedFrames > 0)
            {
                (await reader.NextAsync())!.Release();
            }

            if (i == written.Length / 2)
            {
                late = feed.Subscribe("late");
                stuck.Dispose(); // leaves while frames are queued for it
            }
        }

        Assert.Contains(written, f => f.ReferenceCount > 0); // the cache and queues still hold some

        if (completeFirst)
        {
            feed.Complete();
        }

        reader.Dispose();
        late!.Dispose();
        if (!completeFirst)
        {
            feed.Complete();
        }

        for (var i = 0; i < written.Length; i++)
        {
            Assert.True(written[i].ReferenceCount == 0, $"frame #{i} {written[i]} still has {written[i].ReferenceCount} references");
        }
    }

    [Fact]
    public async Task Audio_only_reader_that_fell_behind_resumes_once_it_has_room()
    {
        var frames = VectorFrames.AudioOnly;
        var feed = TestFeeds.Feed(subscriberQueueFrames: 4);
        using var reader = feed.Subscribe("hls");
        feed.WriteRange(frames, 0, 8); // four queued, four dropped

        for (var i = 0; i < 4; i++)
        {
            await reader.ExpectAsync(frames, i);
        }

        // Every AAC frame is a point where decoding can start.
        feed.WriteRange(frames, 8, 3);
        Assert.Equal(3, reader.QueuedFrames);
        await reader.ExpectAsync(frames, 8);
    }

    [Fact]
    public void Latest_configs_are_those_of_the_frames_written()
    {
        var frames = VectorFrames.AudioVideo;
        var feed = TestFeeds.Feed();
        Assert.Null(feed.LastVideoConfig);
        feed.WriteRange(frames, 0, 10);
        Assert.Same(frames.Video, feed.LastVideoConfig);
        Assert.Same(frames.Audio, feed.LastAudioConfig);
        feed.Complete();
    }
}
