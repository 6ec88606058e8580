using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnAir.Packaging.Hls;
using OnAir.Testing;
using OnAir.Streams;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// What an operator sees on disk and a player sees at the origin after a stream ends: its output
/// stays served for the retention, then the registry forgets it and its directory is deleted.
/// The heartbeat's timer never fires on the manual clock; the tests call <c>CollectExpired</c>.
/// </summary>
public sealed class HlsPackagingServiceTests : IDisposable
{
    private static readonly TimeSpan s_retention = TimeSpan.FromSeconds(30);

    private readonly TempDirectory _temp = new();
    private readonly ManualTimeProvider _clock = new(ManualTimeProvider.DefaultStart);
    private readonly HlsOutputRegistry _outputs = new();
    private readonly StreamRegistry _registry;
    private readonly HlsPackagingService _service;
    private readonly VectorFrames _vector = VectorFrames.Read("h264-aac-320x240-2s.flv");

    public HlsPackagingServiceTests()
    {
        _registry = new StreamRegistry(Options.Create(new StreamsOptions { SubscriberQueueFrames = 1_000_000 }), Options.Create(new LifecycleOptions()), new StreamEvents(), _clock);
        _service = new HlsPackagingService(
            _registry,
            _outputs,
            Options.Create(new HlsOptions { SegmentRetentionSeconds = s_retention.TotalSeconds }),
            Options.Create(new LifecycleOptions { EndedRetentionSeconds = 0 }),
            new DataDirectory(_temp.File("data")),
            _clock,
            NullLogger<HlsPackagingService>.Instance);
    }

    public void Dispose()
    {
        _service.Dispose();
        _vector.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task An_ended_stream_stays_served_for_the_retention_then_is_forgotten_and_deleted()
    {
        await _service.StartAsync(CancellationToken.None);
        var publisher = await PublishAsync("cam");
        WriteSeconds(publisher, 4);
        publisher.Unpublish();
        await _service.StopAsync(CancellationToken.None); // waits for the packager: ENDLIST written, files closed

        Assert.True(_outputs.TryGet("cam", out var output));
        Assert.Equal(_clock.GetUtcNow(), output!.EndedAt);
        Assert.True(output.TryGetRendition("source", out var rendition));
        Assert.True(MediaPlaylistText.Parse(rendition!.Playlist!).Ended);
        var segmentFiles = Directory.GetFiles(rendition.Directory, "*.ts");
        Assert.Equal(2, segmentFiles.Length);

        _clock.Advance(s_retention - TimeSpan.FromMilliseconds(1));
        _service.CollectExpired();

        Assert.True(_outputs.TryGet("cam", out var stillServed));
        Assert.Same(output, stillServed);
        Assert.All(segmentFiles, f => Assert.True(File.Exists(f)));
        Assert.True(File.Exists(Path.Combine(output.Directory, "master.m3u8")));

        _clock.Advance(TimeSpan.FromMilliseconds(1));
        _service.CollectExpired();

        Assert.False(_outputs.TryGet("cam", out _));
        Assert.False(Directory.Exists(output.Directory));
    }

    [Fact]
    public async Task A_stream_superseded_by_a_new_one_of_the_same_name_is_deleted_after_its_own_retention_not_the_new_ones()
    {
        await _service.StartAsync(CancellationToken.None);
        var first = await PublishAsync("cam");
        Assert.True(_outputs.TryGet("cam", out var firstOutput));
        first.Unpublish(); // ends before its first segment: Ready completes when the packager has finished
        await firstOutput!.Ready;
        Assert.Equal(_clock.GetUtcNow(), firstOutput.EndedAt);
        Assert.True(Directory.Exists(firstOutput.Directory));

        _clock.Advance(TimeSpan.FromSeconds(10));
        var second = await PublishAsync("cam");
        Assert.True(_outputs.TryGet("cam", out var secondOutput));
        Assert.NotSame(firstOutput, secondOutput);
        Assert.NotEqual(firstOutput.Directory, secondOutput!.Directory);
        WriteSeconds(second, 4);
        second.Unpublish();
        await _service.StopAsync(CancellationToken.None);

        _clock.Advance(s_retention - TimeSpan.FromSeconds(10)); // the first stream's retention has passed
        _service.CollectExpired();

        Assert.False(Directory.Exists(firstOutput.Directory));
        Assert.True(_outputs.TryGet("cam", out var served));
        Assert.Same(secondOutput, served);
        Assert.True(secondOutput.TryGetRendition("source", out var rendition));
        Assert.Equal(2, Directory.GetFiles(rendition!.Directory, "*.ts").Length);

        _clock.Advance(TimeSpan.FromSeconds(10)); // and now the second one's
        _service.CollectExpired();

        Assert.False(_outputs.TryGet("cam", out _));
        Assert.False(Directory.Exists(secondOutput.Directory));
    }

    /// <summary>Publishes and waits until the packaging service has created the stream's output and subscribed (it runs on its own loop).</summary>
    private async Task<StreamPublisher> PublishAsync(string name)
    {
        var attempt = await _registry.PublishAsync(name, $"connection-{Guid.NewGuid():N}", null);
        Assert.Equal(PublishResult.Started, attempt.Result);
        var publisher = attempt.Publisher!;
        await Eventually.TrueAsync(() => _outputs.TryGet(name, out var output) && output!.StreamId == publisher.Stream.SessionId && publisher.Stream.Source.Feed.SubscriberCount > 0);
        return publisher;
    }

    private void WriteSeconds(StreamPublisher publisher, int seconds)
    {
        foreach (var frame in LoopedFrames.Loop(_vector, seconds / 2))
        {
            publisher.Write(frame);
        }
    }
}
