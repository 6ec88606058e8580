using OnAir.Media;

namespace OnAir.Streams.Tests;

/// <summary>Who may publish which name, and the lifecycle observers (packager, recorder, API) see.</summary>
public class StreamRegistryTests
{
    [Fact]
    public void Second_publish_to_a_live_name_is_refused_and_does_not_disturb_the_first()
    {
        var registry = TestFeeds.Registry();
        var started = 0;
        registry.StreamStarted += _ => started++;
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("live", "s1", out var first));

        Assert.Equal(PublishResult.NameInUse, registry.TryStartPublishing("live", "s2", out var second));

        Assert.Null(second);
        Assert.Equal(1, started);
        Assert.True(registry.TryGet("live", out var stream));
        Assert.Same(first!.Stream, stream);
        Assert.Equal("s1", stream!.SessionId);
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
    public void Names_that_are_not_safe_url_segments_are_refused(string name) => AssertInvalid(name);

    [Fact]
    public void Name_longer_than_the_limit_is_refused()
    {
        AssertInvalid(new string('a', 200));
        AssertInvalid(new string('a', new StreamsOptions().MaxStreamNameLength + 1));
    }

    [Theory]
    [InlineData("a")]
    [InlineData("cam-1_main.v2")]
    [InlineData("UPPER.lower-09")]
    public void Safe_names_are_accepted(string name)
    {
        var registry = TestFeeds.Registry();
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing(name, "s", out var publisher));
        Assert.Equal(name, publisher!.Stream.Name);
        publisher.Dispose();
    }

    [Fact]
    public void Name_of_exactly_the_limit_is_accepted()
    {
        var name = new string('a', new StreamsOptions().MaxStreamNameLength);
        var registry = TestFeeds.Registry();
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing(name, "s", out var publisher));
        publisher!.Dispose();
    }

    [Fact]
    public void With_stream_keys_only_listed_keys_publish_and_viewers_see_the_mapped_name()
    {
        var options = new StreamsOptions();
        options.StreamKeys["k3y-s3cret"] = "studio";
        var registry = TestFeeds.Registry(options);

        Assert.Equal(PublishResult.UnknownKey, registry.TryStartPublishing("guess", "s1", out var refused));
        Assert.Null(refused);
        Assert.Equal(PublishResult.UnknownKey, registry.TryStartPublishing("studio", "s2", out _)); // the public name is not a key
        Assert.Equal(PublishResult.UnknownKey, registry.TryStartPublishing("K3Y-S3CRET", "s3", out _)); // keys are case-sensitive
        Assert.Empty(registry.LiveStreams);

        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("k3y-s3cret", "s4", out var publisher));
        Assert.Equal("studio", publisher!.Stream.Name);
        Assert.True(registry.TryGet("studio", out _));
        Assert.False(registry.TryGet("k3y-s3cret", out _)); // the key never appears as a name
        publisher.Dispose();
    }

    [Fact]
    public void Key_mapped_to_an_unsafe_name_is_refused()
    {
        var options = new StreamsOptions();
        options.StreamKeys["key"] = "../etc";
        Assert.Equal(PublishResult.InvalidName, TestFeeds.Registry(options).TryStartPublishing("key", "s", out _));
    }

    [Fact]
    public async Task After_the_publisher_leaves_the_name_is_free_and_observers_see_the_next_start_before_any_frame()
    {
        var frames = VectorFrames.AudioVideo;
        var registry = TestFeeds.Registry();
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("show", "s1", out var first));
        var ended = 0;
        first!.Stream.Ended += _ => ended++;
        first.Write(frames.Create(0));

        first.Dispose();

        Assert.Equal(1, ended);
        Assert.Equal(StreamState.Ended, first.Stream.State);
        Assert.False(registry.TryGet("show", out _));

        // An observer subscribes synchronously in StreamStarted, as the packager does.
        Subscription? observer = null;
        long framesWrittenAtStart = -1;
        registry.StreamStarted += stream =>
        {
            framesWrittenAtStart = stream.Source.Feed.FramesWritten;
            observer = stream.Source.Feed.Subscribe("hls");
        };

        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("show", "s2", out var second));

        Assert.NotSame(first.Stream, second!.Stream);
        Assert.Equal("s2", second.Stream.SessionId);
        Assert.Equal(0, framesWrittenAtStart);
        Assert.NotNull(observer);
        for (var i = 0; i < 5; i++)
        {
            second.Write(frames.Create(i));
        }

        for (var i = 0; i < 5; i++)
        {
            await observer.ExpectAsync(frames, i); // the first keyframe included
        }

        second.Dispose();
        Assert.Null(await observer.NextAsync());
        observer.Dispose();
    }

    [Fact]
    public void Late_dispose_of_an_old_publisher_does_not_end_the_newer_stream_of_that_name()
    {
        var registry = TestFeeds.Registry();
        registry.TryStartPublishing("show", "s1", out var old);
        registry.EndAll();
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("show", "s2", out var current));

        old!.Dispose();
        old.Dispose();

        Assert.True(registry.TryGet("show", out var live));
        Assert.Same(current!.Stream, live);
        Assert.Equal(StreamState.Live, live!.State);
        current.Dispose();
    }

    [Fact]
    public async Task End_all_ends_every_stream_and_readers_drain_then_see_the_end()
    {
        var frames = VectorFrames.AudioVideo;
        var registry = TestFeeds.Registry();
        var publishers = new List<StreamPublisher>();
        var readers = new List<Subscription>();
        var ended = new List<string>();
        foreach (var name in new[] { "a", "b", "c" })
        {
            Assert.Equal(PublishResult.Started, registry.TryStartPublishing(name, "s-" + name, out var publisher));
            publisher!.Stream.Ended += s => ended.Add(s.Name);
            readers.Add(publisher.Stream.Source.Feed.Subscribe("hls"));
            for (var i = 0; i < 3; i++)
            {
                publisher.Write(frames.Create(i));
            }

            publishers.Add(publisher);
        }

        registry.EndAll();

        Assert.Empty(registry.LiveStreams);
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

        foreach (var publisher in publishers)
        {
            publisher.Dispose(); // ending twice raises Ended once
        }

        Assert.Equal(3, ended.Count);
    }

    [Fact]
    public void A_failing_start_observer_does_not_leave_the_name_stuck()
    {
        var registry = TestFeeds.Registry();
        var fail = true;
        registry.StreamStarted += _ =>
        {
            if (fail)
            {
                throw new IOException("disk full");
            }
        };

        try
        {
            registry.TryStartPublishing("show", "s1", out _);
        }
        catch (IOException)
        {
        }

        fail = false;
        Assert.Equal(PublishResult.Started, registry.TryStartPublishing("show", "s2", out var publisher));
        publisher!.Dispose();
    }

    [Fact]
    public void A_later_stream_of_the_same_name_gets_a_new_id()
    {
        var registry = TestFeeds.Registry(time: new FrozenTime());
        registry.TryStartPublishing("show", "s1", out var first);
        first!.Dispose();
        registry.TryStartPublishing("show", "s2", out var second);

        Assert.NotEqual(first.Stream.Id, second!.Stream.Id);
        second.Dispose();
    }

    private static void AssertInvalid(string name)
    {
        var registry = TestFeeds.Registry();
        var started = 0;
        registry.StreamStarted += _ => started++;

        Assert.Equal(PublishResult.InvalidName, registry.TryStartPublishing(name, "s", out var publisher));

        Assert.Null(publisher);
        Assert.Equal(0, started);
        Assert.Empty(registry.LiveStreams);
        Assert.False(StreamName.IsValid(name, registry.MaxStreamNameLength));
    }

    /// <summary>A clock that does not move: two starts "within the same millisecond".</summary>
    private sealed class FrozenTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
