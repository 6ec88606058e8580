using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnAir.Media;
using OnAir.Media.MpegTs;
using OnAir.Streams;
using OnAir.Testing;
using OnAir.Transcoding.Ffmpeg;
using Xunit;

namespace OnAir.Transcoding.Tests;

/// <summary>
/// What ffmpeg's output becomes in the stream: a rendition per rung, added at its first frame,
/// shared audio, and the timeline breaks a restart or a dropped-and-restored rung must mark.
/// </summary>
public sealed class RungRouterTests : IDisposable
{
    private static readonly RenditionOptions s_360p = new() { Name = "360p", Height = 360, VideoBitrateKbps = 800, MaxRateKbps = 900 };
    private static readonly RenditionOptions s_240p = new() { Name = "240p", Height = 240, VideoBitrateKbps = 400, MaxRateKbps = 450 };

    private readonly List<MediaFrame> _vector = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _);
    private readonly LiveStream _stream;
    private readonly StreamPublisher _publisher;

    public RungRouterTests()
    {
        var registry = new StreamRegistry(Options.Create(new StreamsOptions()), Options.Create(new LifecycleOptions()), new StreamEvents(), TimeProvider.System);
        var attempt = registry.PublishAsync("cam", "connection", null).GetAwaiter().GetResult(); // completes on the stream's loop, never on this thread
        Assert.Equal(PublishResult.Started, attempt.Result);
        _publisher = attempt.Publisher!;
        Assert.True(registry.TryGet("cam", out var stream));
        _stream = stream!;
    }

    public void Dispose()
    {
        _publisher.Unpublish();
        _vector.ForEach(f => f.Release());
    }

    [Fact]
    public async Task Each_rung_becomes_a_rendition_at_its_first_frame_with_the_audio_shared()
    {
        var router = new RungRouter(_stream, graceSeconds: 60, TimeProvider.System, NullLogger.Instance);
        var routing = router.BeginRun([s_360p, s_240p], hasAudio: true, new HashSet<string>());
        Assert.Equal(["source"], _stream.Renditions.Select(r => r.Name)); // nothing before output

        routing.Route(Video(rung: 0, index: 0));
        var rung360 = Assert.Single(_stream.Renditions, r => r.Name == "360p");
        using var reader = rung360.Feed.Subscribe("test");
        routing.Route(Audio(rungCount: 2, index: 0));
        routing.Route(Video(rung: 1, index: 0)); // the 240p rung appears with its own first frame
        routing.Route(Video(rung: 0, index: 1));

        Assert.Equal(["source", "360p", "240p"], _stream.Renditions.Select(r => r.Name));
        var kinds = new List<TrackKind>();
        for (var i = 0; i < 3; i++)
        {
            var frame = await reader.ReadAsync(CancellationToken.None);
            kinds.Add(frame!.Kind);
            Assert.False(frame.Discontinuity); // a first run breaks nothing
            frame.Release();
        }

        Assert.Equal([TrackKind.Video, TrackKind.Audio, TrackKind.Video], kinds); // the first picture (from the GOP cache), the shared audio, the next picture
        Assert.Equal(VideoFrames[0].Pts, router.OutputPts); // progress is the slowest rung's: 240p is still at its first frame
    }

    [Fact]
    public async Task A_dropped_rung_leaves_the_master_list_and_comes_back_marked_as_a_new_timeline()
    {
        var router = new RungRouter(_stream, graceSeconds: 60, TimeProvider.System, NullLogger.Instance);
        var first = router.BeginRun([s_360p, s_240p], hasAudio: false, new HashSet<string>());
        first.Route(Video(rung: 0, index: 0));
        first.Route(Video(rung: 1, index: 0));
        var rung360 = _stream.Renditions.Single(r => r.Name == "360p");
        using var reader = rung360.Feed.Subscribe("test");

        Assert.Empty(router.Retain([s_240p])); // 360p dropped: out of the master list, its feed still open
        Assert.Equal(["source", "240p"], _stream.Renditions.Select(r => r.Name));
        Assert.False(rung360.Feed.IsCompleted);

        var restored = router.Retain([s_360p, s_240p]);
        Assert.Equal(["360p"], restored);
        Assert.Contains(rung360, _stream.Renditions); // the same rendition: its playlist carries on

        var second = router.BeginRun([s_360p, s_240p], hasAudio: false, restored);
        second.Route(Video(rung: 0, index: 5));
        var frame = await reader.ReadAsync(CancellationToken.None);
        Assert.False(frame!.Discontinuity);
        frame.Release();
        frame = await reader.ReadAsync(CancellationToken.None);
        Assert.True(frame!.Discontinuity, "the first frame after the rung's absence starts a new timeline");
        frame.Release();
    }

    [Fact]
    public async Task After_skipped_input_each_rung_marks_its_first_frame_from_the_skip_on()
    {
        var router = new RungRouter(_stream, graceSeconds: 60, TimeProvider.System, NullLogger.Instance);
        var routing = router.BeginRun([s_360p], hasAudio: false, new HashSet<string>());
        routing.Route(Video(rung: 0, index: 0));
        using var reader = _stream.Renditions.Single(r => r.Name == "360p").Feed.Subscribe("test");

        router.MarkDiscontinuityFrom(VideoFrames[10].Pts); // input before frame 10 was dropped
        routing.Route(Video(rung: 0, index: 9)); // still in flight from before the skip
        routing.Route(Video(rung: 0, index: 10));
        routing.Route(Video(rung: 0, index: 11));

        var marks = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            var frame = await reader.ReadAsync(CancellationToken.None);
            marks.Add(frame!.Discontinuity);
            frame.Release();
        }

        Assert.Equal([false, true, false], marks);
    }

    [Fact]
    public void A_dropped_rung_whose_grace_has_passed_ends_with_its_feed()
    {
        var router = new RungRouter(_stream, graceSeconds: 0, TimeProvider.System, NullLogger.Instance);
        var routing = router.BeginRun([s_360p, s_240p], hasAudio: false, new HashSet<string>());
        routing.Route(Video(rung: 0, index: 0));
        var rung360 = _stream.Renditions.Single(r => r.Name == "360p");

        router.Retain([s_240p]);
        Assert.True(SpinWait.SpinUntil(() => rung360.Feed.IsCompleted, TimeSpan.FromSeconds(10)), "the playlist gets its ENDLIST");
        Assert.Empty(router.Retain([s_360p, s_240p])); // too late to restore: a new 360p rendition will start at its next frame
    }

    private List<MediaFrame> VideoFrames => _vector.Where(f => f.Kind == TrackKind.Video).ToList();

    private TsFrame Video(int rung, int index) => new(LadderCommand.VideoPid(rung), Copy(VideoFrames[index]));

    private TsFrame Audio(int rungCount, int index) => new(LadderCommand.AudioPid(rungCount), Copy(_vector.Where(f => f.Kind == TrackKind.Audio).ElementAt(index)));

    private static MediaFrame Copy(MediaFrame frame) => MediaFrame.Create(frame.Kind, frame.Dts, frame.Pts, frame.IsKeyFrame, frame.Config, frame.Span);
}
