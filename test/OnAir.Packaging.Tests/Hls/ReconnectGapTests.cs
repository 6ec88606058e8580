using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnAir.Packaging.Hls;
using OnAir.Testing;
using OnAir.Streams;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// A publisher that drops and comes back within the grace period, in virtual time: the playlist
/// stays live and advances with EXT-X-GAP segments while it is away, then continues with
/// EXT-X-DISCONTINUITY and unbroken sequence numbers.
/// </summary>
public sealed class ReconnectGapTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly HlsOutputRegistry _outputs = new();
    private readonly StreamRegistry _registry;
    private readonly HlsPackagingService _service;
    private readonly VectorFrames _vector = VectorFrames.Read("h264-aac-320x240-2s.flv");

    public ReconnectGapTests()
    {
        var lifecycle = Options.Create(new LifecycleOptions { ReconnectGraceSeconds = 15 });
        _registry = new StreamRegistry(Options.Create(new StreamsOptions { SubscriberQueueFrames = 1_000_000 }), lifecycle, new StreamEvents(), _clock);
        _service = new HlsPackagingService(_registry, _outputs, Options.Create(new HlsOptions()), lifecycle, new DataDirectory(_temp.File("data")), _clock, NullLogger<HlsPackagingService>.Instance);
    }

    public void Dispose()
    {
        _service.Dispose();
        _vector.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task While_the_publisher_is_away_gap_segments_keep_the_playlist_live_then_media_continues_it_with_a_discontinuity()
    {
        await _service.StartAsync(CancellationToken.None);
        var first = await PublishAsync(PublishResult.Started);
        var rendition = await SourceOutputAsync(first);
        Write(first, copies: 3); // 6 s: segments 0 and 1 close, 2 stays open
        await Eventually.TrueAsync(() => Playlist(rendition) is { Segments.Count: 2 }, "two segments listed");

        first.Dispose(); // dropped without unpublishing
        Assert.Equal(StreamState.Reconnecting, await StateAsync(first.Stream, StreamState.Reconnecting));

        // 7 s away, in the gap clock's steps: the open segment closes, then a 2 s gap every 2 s.
        for (var i = 0; i < 28; i++)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Yield();
        }

        await Eventually.TrueAsync(() => Playlist(rendition) is { } p && p.Segments.Count(s => s.Gap) == 3, "three gap segments listed after 7 s away");
        var away = Playlist(rendition)!;
        Assert.False(away.Ended);
        Assert.Equal([false, false, false, true, true, true], away.Segments.Select(s => s.Gap));
        Assert.All(away.Segments.Where(s => s.Gap), s => Assert.Equal(2.0, s.Duration, 3));
        AssertContiguousTimes(away);

        var second = await PublishAsync(PublishResult.Resumed);
        Assert.Same(first.Stream, second.Stream);
        Write(second, copies: 3); // the encoder restarted its clock at 0
        second.Unpublish();
        await _service.StopAsync(CancellationToken.None);

        var final = Playlist(rendition)!;
        Assert.True(final.Ended);
        var afterGap = final.Segments.SkipWhile(s => !s.Gap).SkipWhile(s => s.Gap).ToList();
        Assert.NotEmpty(afterGap);
        Assert.True(afterGap[0].Discontinuity, "the first segment after the gap starts with EXT-X-DISCONTINUITY");
        Assert.All(afterGap.Skip(1), s => Assert.False(s.Discontinuity));
        Assert.InRange(afterGap.Sum(s => s.Duration), 5.5, 6.5); // all of the second session
        var sequences = final.Segments.Select(s => SequenceOf(s.Uri)).ToList();
        Assert.Equal(Enumerable.Range((int)final.MediaSequence, sequences.Count).Select(n => (long)n), sequences);
        Assert.Equal(final.MediaSequence, sequences[0]);

        // The gap before the resume ends where the new media starts: the time line has no hole and no overlap.
        var gapAndAfter = final.Segments.SkipWhile(s => !s.Gap).ToList();
        AssertContiguousTimes(final with { Segments = gapAndAfter });
    }

    private async Task<StreamPublisher> PublishAsync(PublishResult expected)
    {
        var attempt = await _registry.PublishAsync("cam", $"connection-{Guid.NewGuid():N}", null);
        Assert.Equal(expected, attempt.Result);
        return attempt.Publisher!;
    }

    private async Task<RenditionOutput> SourceOutputAsync(StreamPublisher publisher)
    {
        RenditionOutput? rendition = null;
        await Eventually.TrueAsync(
            () => _outputs.TryGet("cam", out var output) && output!.TryGetRendition("source", out rendition) && publisher.Stream.Source.Feed.SubscriberCount > 0,
            "the packager subscribed");
        return rendition!;
    }

    private static async Task<StreamState> StateAsync(LiveStream stream, StreamState state)
    {
        await Eventually.TrueAsync(() => stream.State == state, $"state {state}");
        return stream.State;
    }

    private void Write(StreamPublisher publisher, int copies)
    {
        foreach (var frame in LoopedFrames.Loop(_vector, copies))
        {
            publisher.Write(frame);
        }
    }

    private static MediaPlaylistText? Playlist(RenditionOutput rendition) =>
        rendition.Playlist is { } bytes ? MediaPlaylistText.Parse(bytes) : null;

    private static long SequenceOf(string uri) => long.Parse(uri[(uri.LastIndexOf('-') + 1)..^3], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Each segment's PROGRAM-DATE-TIME is the previous one's plus its duration (to the millisecond the tag carries).</summary>
    private static void AssertContiguousTimes(MediaPlaylistText playlist)
    {
        for (var i = 1; i < playlist.Segments.Count; i++)
        {
            var previous = playlist.Segments[i - 1];
            var expected = previous.ProgramDateTime.AddSeconds(previous.Duration);
            Assert.InRange((playlist.Segments[i].ProgramDateTime - expected).TotalMilliseconds, -40, 40);
        }
    }
}
