namespace OnAir.Streams.Tests;

/// <summary>Who may publish which name, and the starts and ends observers (packager, transcoder, API) hear of.</summary>
public class StreamRegistryTests
{
    [Fact]
    public async Task Second_publish_to_a_live_name_is_refused_and_does_not_disturb_the_first()
    {
        var registry = TestFeeds.Registry();
        var events = registry.Events.Subscribe();
        var first = await registry.PublishAsync("live", PublishResult.Started, "c1");

        await registry.PublishAsync("live", PublishResult.NameInUse, "c2");

        Assert.Equal(StreamEventKind.Started, (await events.NextAsync()).Kind);
        Assert.False(events.TryPeek(out _)); // the refused publish announced nothing
        Assert.True(registry.TryGet("live", out var stream));
        Assert.Same(first!.Stream, stream);
        Assert.Same(first, stream!.Publisher);
        Assert.Equal("c1", stream.Publisher!.ConnectionId);
        Assert.Equal(StreamState.Live, stream.State);
        first.Dispose();
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData(".hidden")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("caf\u00e9")]
    [InlineData("x?y=1")]
    [InlineData("%2e%2e")]
    public Task Names_that_are_not_safe_url_segments_are_refused(string name) => AssertInvalidAsync(name);

    [Fact]
    public async Task Name_longer_than_the_limit_is_refused()
    {
        await AssertInvalidAsync(new string('a', 200));
        await AssertInvalidAsync(new string('a', new StreamsOptions().MaxStreamNameLength + 1));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("cam-1_main.v2")]
    [InlineData("UPPER.lower-09")]
    public async Task Safe_names_are_accepted(string name)
    {
        var publisher = await TestFeeds.Registry().PublishAsync(name, PublishResult.Started);
        Assert.Equal(name, publisher!.Stream.Name);
        publisher.Dispose();
    }

    [Fact]
    public async Task Name_of_exactly_the_limit_is_accepted()
    {
        var name = new string('a', new StreamsOptions().MaxStreamNameLength);
        var publisher = await TestFeeds.Registry().PublishAsync(name, PublishResult.Started);
        publisher!.Dispose();
    }

    [Fact]
    public async Task With_stream_keys_only_listed_keys_publish_and_viewers_see_the_mapped_name()
    {
        var options = new StreamsOptions();
        options.StreamKeys["k3y-s3cret"] = "studio";
        var registry = TestFeeds.Registry(options);

        await registry.PublishAsync("guess", PublishResult.UnknownKey);
        await registry.PublishAsync("studio", PublishResult.UnknownKey); // the public name is not a key
        await registry.PublishAsync("K3Y-S3CRET", PublishResult.UnknownKey); // keys are case-sensitive
        Assert.Empty(registry.Streams);

        var publisher = await registry.PublishAsync("k3y-s3cret", PublishResult.Started);
        Assert.Equal("studio", publisher!.Stream.Name);
        Assert.True(registry.TryGet("studio", out _));
        Assert.False(registry.TryGet("k3y-s3cret", out _)); // the key never appears as a name
        publisher.Dispose();
    }

    [Fact]
    public async Task Key_mapped_to_an_unsafe_name_is_refused()
    {
        var options = new StreamsOptions();
        options.StreamKeys["key"] = "../etc";
        await TestFeeds.Registry(options).PublishAsync("key", PublishResult.InvalidName);
    }

    [Fact]
    public async Task A_late_subscriber_starts_at_the_cached_keyframe_so_an_observer_on_its_own_loop_misses_no_picture()
    {
        var frames = VectorFrames.AudioVideo;
        var registry = TestFeeds.Registry();
        var publisher = await registry.PublishAsync("show", PublishResult.Started);

        // The publisher writes before the observer has handled the start event.
        for (var i = 0; i < 5; i++)
        {
            publisher!.Write(frames.Create(i));
        }

        var observer = publisher!.Stream.Source.Feed.Subscribe("hls");
        for (var i = 0; i < 5; i++)
        {
            await observer.ExpectAsync(frames, i); // the first keyframe included
        }

        publisher.Unpublish();
        Assert.Null(await observer.NextAsync());
        Assert.True(observer.IsEnded);
        observer.Dispose();
    }

    [Fact]
    public async Task Late_leave_of_an_old_publisher_does_not_end_the_newer_stream_of_that_name()
    {
        var registry = TestFeeds.Registry();
        var old = await registry.PublishAsync("show", PublishResult.Started);
        await registry.EndAllAsync("test").WaitAsync(TestFeeds.Timeout);
        var current = await registry.PublishAsync("show", PublishResult.Started);

        old!.Unpublish();
        old.Dispose();

        Assert.True(registry.TryGet("show", out var live));
        Assert.Same(current!.Stream, live);
        await Task.Yield();
        Assert.Equal(StreamState.Live, live!.State);
        current.Dispose();
    }

    [Fact]
    public async Task End_all_ends_every_stream_disconnects_publishers_and_readers_drain_then_see_the_end()
    {
        var frames = VectorFrames.AudioVideo;
        var registry = TestFeeds.Registry();
        var events = registry.Events.Subscribe();
        var publishers = new List<StreamPublisher>();
        var readers = new List<Subscription>();
        var kicked = new List<string>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var publisher = (await registry.PublishAsync(name, PublishResult.Started))!;
            publisher.OnKick(reason => kicked.Add(name + ": " + reason));
            readers.Add(publisher.Stream.Source.Feed.Subscribe("hls"));
            for (var i = 0; i < 3; i++)
            {
                publisher.Write(frames.Create(i));
            }

            publishers.Add(publisher);
        }

        await registry.EndAllAsync("server shutdown").WaitAsync(TestFeeds.Timeout);

        Assert.Empty(registry.Streams);
        Assert.Equal(["a: server shutdown", "b: server shutdown", "c: server shutdown"], kicked.Order());
        var ended = new List<string>();
        while (ended.Count < 3)
        {
            ended.Add((await events.NextAsync(StreamEventKind.Ended)).Stream.Name);
        }

        Assert.Equal(["a", "b", "c"], ended.Order());
        Assert.All(publishers, p => Assert.Equal(StreamState.Ended, p.Stream.State));
        foreach (var reader in readers)
        {
            for (var i = 0; i < 3; i++)
            {
                await reader.ExpectAsync(frames, i);
            }

            Assert.Null(await reader.NextAsync());
            reader.Dispose();
        }

        // A publisher still writing after shutdown began: dropped, not leaked, no error.
        var late = frames.Create(3);
        publishers[0].Write(late);
        Assert.Equal(0, late.ReferenceCount);
        publishers.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task A_later_session_of_the_same_name_gets_a_new_session_id_even_within_the_same_millisecond()
    {
        var registry = TestFeeds.Registry(time: new FrozenTime());
        var first = await registry.PublishAsync("show", PublishResult.Started);
        first!.Unpublish();
        await first.Stream.Completion.WaitAsync(TestFeeds.Timeout);
        var second = await registry.PublishAsync("show", PublishResult.Started);

        Assert.NotEqual(first.Stream.SessionId, second!.Stream.SessionId);
        Assert.NotSame(first.Stream, second.Stream);
        second.Dispose();
    }

    private static async Task AssertInvalidAsync(string name)
    {
        var registry = TestFeeds.Registry();
        var events = registry.Events.Subscribe();

        await registry.PublishAsync(name, PublishResult.InvalidName);

        Assert.False(events.TryPeek(out _));
        Assert.Empty(registry.Streams);
        Assert.False(StreamName.IsValid(name, registry.MaxStreamNameLength));
    }

    /// <summary>A clock that does not move: two starts "within the same millisecond".</summary>
    private sealed class FrozenTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
