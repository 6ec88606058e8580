using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OnAir.Media;
using OnAir.Streams;
using OnAir.Testing;
using Xunit;

namespace OnAir.Transcoding.Tests;

/// <summary>
/// How the transcoder supervises ffmpeg, in virtual time with a scripted ffmpeg: a crash is
/// restarted after the delay at a recent keyframe, a crash loop falls back to source only, a
/// hang is killed. The publisher writes in real time on the fake clock.
/// </summary>
public sealed class SupervisionTests : IAsyncDisposable
{
    private static readonly RenditionOptions s_120p = new() { Name = "120p", Height = 120, VideoBitrateKbps = 100, MaxRateKbps = 120 };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero));
    private readonly List<MediaFrame> _vector = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _);
    private readonly CancellationTokenSource _stop = new();
    private StreamPublisher? _publisher;
    private Task? _run;
    private int _cursor; // next frame of the vector to write
    private long _loopOffset; // 90 kHz, added to the vector's timestamps for the current copy
    private long _lastDts = long.MinValue;

    public async ValueTask DisposeAsync()
    {
        _publisher?.Unpublish();
        if (_run is not null)
        {
            await _run.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await _stop.CancelAsync();
        _stop.Dispose();
        _vector.ForEach(f => f.Release());
    }

    [Fact]
    public async Task A_crashed_ffmpeg_is_restarted_after_the_delay_at_a_recent_keyframe()
    {
        var launcher = new FakeLauncher(_time);
        var transcoder = await StartAsync(launcher, o => o.RestartDelaySeconds = 0.5);
        await WriteSecondsAsync(2);
        var first = Assert.Single(launcher.Launches).Run;
        Assert.True(first.Written > 30, "the first run took the source's frames");

        first.Exit(1); // a crash
        var crashedAt = _time.GetUtcNow();
        await WriteSecondsAsync(0.4);
        Assert.Single(launcher.Launches); // not before the restart delay
        Assert.Equal(TranscoderState.Restarting, transcoder.Status.State);

        await WriteSecondsAsync(1.5);
        Assert.Equal(2, launcher.Launches.Count);
        Assert.True(launcher.Launches[1].At - crashedAt >= TimeSpan.FromSeconds(0.5));
        Assert.Equal(1, transcoder.Status.Restarts);
        Assert.Equal(TranscoderState.Running, transcoder.Status.State);
        Assert.True(transcoder.Status.DroppedInputFrames > 0, "the frames between the crash and the restart are counted as dropped");
    }

    [Fact]
    public async Task A_crash_loop_falls_back_to_the_source_alone_after_the_restart_budget()
    {
        var launcher = new FakeLauncher(_time, exitAtFirstWrite: _ => true);
        var transcoder = await StartAsync(launcher, o =>
        {
            o.RestartDelaySeconds = 0.2;
            o.MaxRestarts = 2;
        });

        await WriteSecondsAsync(10);

        Assert.Equal(TranscoderState.FellBack, transcoder.Status.State);
        Assert.Equal(3, launcher.Launches.Count); // the first run and two restarts, then no more
        Assert.Empty(transcoder.Status.Rungs);
        await WriteSecondsAsync(3);
        Assert.Equal(3, launcher.Launches.Count);
    }

    [Fact]
    public async Task A_hung_ffmpeg_is_killed_after_the_stall_timeout_and_restarted()
    {
        var launcher = new FakeLauncher(_time);
        var transcoder = await StartAsync(launcher, o => o.StallTimeoutSeconds = 3);

        await WriteSecondsAsync(2.5);
        var first = Assert.Single(launcher.Launches).Run;
        Assert.False(first.KilledAsHung); // no output for 2.5 s: not yet

        await WriteSecondsAsync(3);
        Assert.True(first.KilledAsHung);
        Assert.Equal(2, launcher.Launches.Count);
        Assert.Equal(1, transcoder.Status.Restarts);
    }

    private async Task<StreamTranscoder> StartAsync(FakeLauncher launcher, Action<TranscodingOptions> configure)
    {
        var registry = new StreamRegistry(Options.Create(new StreamsOptions()), Options.Create(new LifecycleOptions()), new StreamEvents(), _time);
        var attempt = await registry.PublishAsync("cam", "connection", null);
        _publisher = attempt.Publisher!;
        var options = new TranscodingOptions();
        configure(options);
        var settings = new TranscoderSettings("test", new LadderOptions { Renditions = [s_120p] }, options, LagBudgetSeconds: 2);
        var transcoder = new StreamTranscoder(_publisher.Stream, settings, _time, NullLogger.Instance, launcher.Launch);
        _run = Task.Run(() => transcoder.RunAsync(_stop.Token));
        return transcoder;
    }

    /// <summary>Writes the looped vector as a live encoder would: the clock moves with the frames' timestamps, and each frame is read before the next is sent.</summary>
    private async Task WriteSecondsAsync(double seconds)
    {
        var period = _vector.Max(f => f.Dts) + MediaTime.FromMilliseconds(34);
        var until = _lastDts == long.MinValue ? MediaTime.FromSeconds(seconds) : _lastDts + MediaTime.FromSeconds(seconds);
        while (true)
        {
            var template = _vector[_cursor];
            var dts = template.Dts + _loopOffset;
            if (dts >= until)
            {
                return;
            }

            if (_lastDts != long.MinValue && dts > _lastDts)
            {
                _time.Advance(MediaTime.ToTimeSpan(dts - _lastDts));
            }

            _lastDts = Math.Max(_lastDts, dts);
            _publisher!.Write(MediaFrame.Create(template.Kind, dts, template.Pts + _loopOffset, template.IsKeyFrame, template.Config, template.Span));
            if (++_cursor == _vector.Count)
            {
                _cursor = 0;
                _loopOffset += period;
            }

            await Eventually.TrueAsync(() => _publisher.Stream.Source.Feed.QueuedFrames == 0, "the transcoder reads the frame");
        }
    }
}
