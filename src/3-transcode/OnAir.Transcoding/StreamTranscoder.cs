using Microsoft.Extensions.Logging;
using OnAir.Media;
using OnAir.Streams;
using OnAir.Transcoding.Ffmpeg;

namespace OnAir.Transcoding;

/// <summary>
/// Supervises the transcoding of one stream: feeds the source's frames to one ffmpeg
/// (<see cref="FfmpegRun"/>) and writes what comes back into the stream as rendition tracks
/// (<see cref="RungRouter"/>); restarts ffmpeg when it crashes or hangs, falls back to
/// passthrough when it keeps failing, and applies the <see cref="DegradationPolicy"/> when the
/// renditions fall behind the source. The source rendition itself is never touched.
/// </summary>
/// <remarks>
/// Threads: the feed loop owns the current run and every start, switch and restart; the run's
/// output loop routes frames; a one-second monitor measures lag and speed, detects hangs and
/// decides degradation steps, which the feed loop applies at the next source keyframe. ffmpeg is
/// reached through <see cref="IFfmpegProcess"/> (an <see cref="FfmpegLauncher"/>), so restarts,
/// fallback and hang handling are unit-tested with a scripted ffmpeg on a fake clock.
/// </remarks>
public sealed class StreamTranscoder
{
    private static readonly TimeSpan s_tick = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_speedWindow = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_videoProbeLimit = TimeSpan.FromSeconds(10);

    private readonly LiveStream _stream;
    private readonly TranscoderSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Subscription _source;
    private readonly RungRouter _router;
    private readonly Queue<long> _restarts = new();
    private readonly Queue<(double At, double OutputSeconds)> _speedSamples = new();

    private IReadOnlyList<RenditionOptions> _rungs = [];
    private DegradationPolicy? _policy;
    private readonly FfmpegLauncher _launch;
    private IFfmpegProcess? _run;
    private IFfmpegProcess? _judgedRun;
    private bool _hasAudio;
    private int _appliedLevel;
    private volatile int _desiredLevel;
    private volatile bool _stoppedForStep;
    private volatile bool _catchUp;
    private long _restartAt;
    private long _droppedByPolicy;
    private double _arrivalOffset = double.PositiveInfinity;
    private int _plannedHeight;
    private VideoConfig? _sourceVideo;
    private bool _awaitingPublisher;

    /// <summary>Subscribes to the source (its GOP cache holds the first keyframe until then).</summary>
    public StreamTranscoder(LiveStream stream, TranscoderSettings settings, TimeProvider time, ILogger logger)
        : this(stream, settings, time, logger, (arguments, input, onFrame) => FfmpegRun.Start(settings.Options.FfmpegPath, arguments, input, onFrame, time))
    {
    }

    /// <param name="launch">Starts ffmpeg; supervision tests pass a scripted fake and drive it in virtual time.</param>
    internal StreamTranscoder(LiveStream stream, TranscoderSettings settings, TimeProvider time, ILogger logger, FfmpegLauncher launch)
    {
        _launch = launch;
        _stream = stream;
        _settings = settings;
        _time = time;
        _logger = logger;
        Status = new TranscoderStatus(stream.Name, stream.SessionId);
        _router = new RungRouter(stream, settings.Options.DroppedRungGraceSeconds, time, logger);
        _source = stream.Source.Feed.Subscribe("transcoder");
    }

    public TranscoderStatus Status { get; }

    /// <summary>Runs until the source ends (or the transcoder falls back to passthrough).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var subscription = _source;
        using var monitorStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task? monitor = null;
        try
        {
            var start = await ProbeSourceAsync(cancellationToken).ConfigureAwait(false);
            if (start is null)
            {
                return;
            }

            monitor = MonitorAsync(monitorStop.Token);
            foreach (var frame in start)
            {
                await FeedAsync(frame, cancellationToken).ConfigureAwait(false);
            }

            while (Status.State is not (TranscoderState.FellBack or TranscoderState.NoRungs))
            {
                var frame = await subscription.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (frame is not null)
                {
                    await FeedAsync(frame, cancellationToken).ConfigureAwait(false);
                }
                else if (subscription.IsEnded)
                {
                    break;
                }
                else
                {
                    await OnSourcePausedAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            TranscodeLog.Failed(_logger, ex, _stream.Name);
            Status.State = TranscoderState.FellBack;
        }
        finally
        {
            await monitorStop.CancelAsync().ConfigureAwait(false);
            if (monitor is not null)
            {
                await monitor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (_run is { } run)
            {
                await run.FinishAsync(s_drainTimeout).ConfigureAwait(false);
                await run.DisposeAsync().ConfigureAwait(false);
            }

            _router.EndAll();
            if (Status.State is TranscoderState.Running or TranscoderState.Restarting or TranscoderState.Starting)
            {
                Status.State = TranscoderState.Ended;
            }

            TranscodeLog.Ended(_logger, _stream.Name, Status.Restarts, Status.DroppedInputFrames);
        }
    }

    /// <summary>
    /// Waits for the first video keyframe (its SPS gives the height, hence the rungs) and for the
    /// audio that follows it, if any. Returns the frames to feed first, or null when there is
    /// nothing to transcode.
    /// </summary>
    private async Task<List<MediaFrame>?> ProbeSourceAsync(CancellationToken cancellationToken)
    {
        var frames = new List<MediaFrame>();
        var started = _time.GetTimestamp();
        while (true)
        {
            var frame = await _source.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (frame is null)
            {
                if (_source.IsEnded)
                {
                    break;
                }

                continue; // woken, not ended
            }

            NoteArrival(frame);
            if (frames.Count == 0)
            {
                if (frame.Kind != TrackKind.Video || !frame.IsKeyFrame)
                {
                    frame.Release();
                    if (_time.GetElapsedTime(started) > s_videoProbeLimit)
                    {
                        break;
                    }

                    continue;
                }
            }

            frames.Add(frame);
            var audioSeen = frame.Kind == TrackKind.Audio;
            if (audioSeen || frame.Dts - frames[0].Dts >= MediaTime.TicksPerSecond || frames.Count > 256)
            {
                _hasAudio = audioSeen || _stream.Source.Feed.LastAudioConfig is not null;
                if (PlanLadder(frames[0]))
                {
                    return frames;
                }

                break;
            }
        }

        frames.ForEach(f => f.Release());
        Status.State = TranscoderState.NoRungs;
        return null;
    }

    /// <summary>
    /// The rungs for a source whose keyframe is <paramref name="keyFrame"/> (its SPS gives the
    /// height). Planned at the start and again when a reconnecting publisher comes back with another
    /// picture size. Returns false when no rung fits (then nothing is transcoded).
    /// </summary>
    private bool PlanLadder(MediaFrame keyFrame)
    {
        var height = (keyFrame.Config as VideoConfig)?.Height ?? 0;
        _plannedHeight = height;
        var sourceKbps = _stream.DeclaredVideoBitrateKbps;
        _rungs = LadderCommand.RungsFor(_settings.Ladder, height, sourceKbps);
        LogCappedRungs(sourceKbps);
        if (_rungs.Count == 0)
        {
            TranscodeLog.NoRungs(_logger, _stream.Name, height, _settings.LadderName);
            Status.State = TranscoderState.NoRungs;
            return false;
        }

        _policy = new DegradationPolicy(_rungs.Count, _settings.LagBudgetSeconds, _settings.Options.RecoverAfterSeconds);
        _desiredLevel = 0;
        return true;
    }

    /// <summary>
    /// Woken by the monitor while the publisher is away: ffmpeg is given its end of input so its
    /// encoders flush the frames they hold (the renditions' last segments before the gap), and the
    /// next run starts at the returning publisher's first keyframe.
    /// </summary>
    private async Task OnSourcePausedAsync()
    {
        if (_run is not { } run || _stream.State != StreamState.Reconnecting)
        {
            return;
        }

        _run = null;
        await run.FinishAsync(s_drainTimeout).ConfigureAwait(false);
        await run.DisposeAsync().ConfigureAwait(false);
        _catchUp = true; // the next run begins at a recent keyframe and marks the discontinuity
        _awaitingPublisher = true;
        Status.State = TranscoderState.Paused;
        TranscodeLog.Paused(_logger, _stream.Name);
    }

    /// <summary>The publisher is back: with another picture size the ladder is planned anew (rungs that no longer fit end after the drop grace).</summary>
    private void ReplanIfSourceChanged(MediaFrame keyFrame)
    {
        _awaitingPublisher = false;
        var height = (keyFrame.Config as VideoConfig)?.Height ?? 0;
        if (height == _plannedHeight)
        {
            return;
        }

        var before = string.Join(", ", _rungs.Select(r => r.Name));
        if (PlanLadder(keyFrame))
        {
            _router.Retain(_rungs);
        }
        else
        {
            _router.EndAll();
        }

        TranscodeLog.Replanned(_logger, _stream.Name, height, before, string.Join(", ", _rungs.Select(r => r.Name)));
    }

    private async ValueTask FeedAsync(MediaFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            NoteArrival(frame);
            var isKeyFrame = frame.Kind == TrackKind.Video && frame.IsKeyFrame;
            if (isKeyFrame && frame.Config is VideoConfig video)
            {
                _sourceVideo = video; // a run starts at a keyframe, in the container its codec needs
            }
            if (_run is { HasExited: true } exited)
            {
                await OnRunEndedAsync(exited).ConfigureAwait(false);
            }

            // Catching up (after a restart, or as the last degradation step): input older than the
            // budget is worthless, so feeding resumes at a keyframe that arrived recently.
            if (_catchUp && !(isKeyFrame && LagOf(frame) <= _settings.LagBudgetSeconds / 2))
            {
                Drop();
                return;
            }

            if (_catchUp)
            {
                _catchUp = false;
                _router.MarkDiscontinuityFrom(frame.Pts); // the renditions skip what was dropped
                if (_awaitingPublisher)
                {
                    ReplanIfSourceChanged(frame);
                    if (Status.State == TranscoderState.NoRungs)
                    {
                        return;
                    }
                }
            }

            if (_run is null)
            {
                if (Status.State == TranscoderState.FellBack || !isKeyFrame || _time.GetTimestamp() < _restartAt)
                {
                    Drop();
                    return;
                }

                StartRun(restored: new HashSet<string>());
            }
            else if (isKeyFrame)
            {
                await ApplyDesiredLevelAsync().ConfigureAwait(false);
            }

            if (!await _run!.WriteAsync(frame, cancellationToken).ConfigureAwait(false))
            {
                await OnRunEndedAsync(_run).ConfigureAwait(false);
                Drop();
            }
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>ffmpeg is gone: stopped by the monitor for a degradation step (start anew from the live edge), or failed.</summary>
    private async Task OnRunEndedAsync(IFfmpegProcess run)
    {
        if (!_stoppedForStep)
        {
            await OnRunFailedAsync(run).ConfigureAwait(false);
            return;
        }

        _stoppedForStep = false;
        _run = null;
        await run.DisposeAsync().ConfigureAwait(false);
        _router.Retain(ActiveRungs(_desiredLevel));
        _catchUp = true;
    }

    /// <summary>How long ago a source frame arrived, seconds.</summary>
    private double LagOf(MediaFrame frame) => Seconds(_time.GetTimestamp()) - (MediaTime.ToSeconds(frame.Pts) + Volatile.Read(ref _arrivalOffset));

    private void Drop() => Interlocked.Increment(ref _droppedByPolicy);

    /// <summary>A new ffmpeg for the current level, fed from this keyframe on.</summary>
    /// <param name="restored">Rungs listed again after being dropped: their first frame starts a new timeline.</param>
    private void StartRun(IReadOnlySet<string> restored)
    {
        var level = _desiredLevel;
        var rungs = ActiveRungs(level);
        var quality = new TranscodeQuality(DegradationPolicy.FasterPresetAt(level) ? _settings.Options.DegradedPreset : null, DegradationPolicy.HalfFrameRateAt(level));
        var routing = _router.BeginRun(rungs, _hasAudio, restored);
        var input = new FfmpegInput(_sourceVideo!, _hasAudio);
        var arguments = LadderCommand.Arguments(rungs, _settings.Ladder.AudioBitrateKbps, _hasAudio, quality, input.Format);
        _run = _launch(arguments, input, routing.Route);
        _appliedLevel = level;
        _stoppedForStep = false;
        Status.Level = level;
        Status.Rungs = rungs.Select(r => r.Name).ToList();
        Status.State = TranscoderState.Running;
        TranscodeLog.Started(_logger, _stream.Name, _router.SourceHeight, string.Join(", ", Status.Rungs), _settings.LadderName, _run.Pid);
    }

    /// <summary>
    /// At a source keyframe: a step back up (recovery) that changes ffmpeg's command swaps the run
    /// here, so the new one starts with an IDR and no frame is lost. Steps down do not wait for
    /// this: the monitor stops the lagging run at once (<see cref="Tick"/>).
    /// </summary>
    private async Task ApplyDesiredLevelAsync()
    {
        var desired = _desiredLevel;
        if (desired == _appliedLevel)
        {
            return;
        }

        if (!_policy!.NeedsRestart(_appliedLevel, desired))
        {
            _appliedLevel = desired; // only the input-dropping step changed: same ffmpeg
            Status.Level = desired;
            return;
        }

        var previous = _run!;
        _run = null;
        await previous.FinishAsync(s_drainTimeout).ConfigureAwait(false);
        await previous.DisposeAsync().ConfigureAwait(false);
        StartRun(_router.Retain(ActiveRungs(desired)));
    }

    private async Task OnRunFailedAsync(IFfmpegProcess run)
    {
        _run = null;
        try
        {
            await run.Completion.WaitAsync(s_drainTimeout, _time).ConfigureAwait(false); // for the exit code
        }
        catch (TimeoutException)
        {
        }

        var failure = run.KilledAsHung ? $"hung (no output for {_settings.Options.StallTimeoutSeconds} s) and was killed" : run.ExitCode switch
        {
            null => "stopped reading its input",
            > 128 and var code => $"was killed by signal {code - 128}",
            var code => $"exited with code {code}",
        };
        await run.DisposeAsync().ConfigureAwait(false);
        var now = _time.GetTimestamp();
        var window = _settings.Options.RestartWindowSeconds;
        _restarts.Enqueue(now);
        while (_time.GetElapsedTime(_restarts.Peek(), now).TotalSeconds > window)
        {
            _restarts.Dequeue();
        }

        if (_restarts.Count > _settings.Options.MaxRestarts)
        {
            TranscodeLog.FellBack(_logger, _stream.Name, _restarts.Count, window, failure, run.StderrTail);
            Status.State = TranscoderState.FellBack;
            Status.Rungs = [];
            _router.EndAll();
            return;
        }

        Status.AddRestart();
        Status.State = TranscoderState.Restarting;
        var delay = _settings.Options.RestartDelaySeconds;
        TranscodeLog.Crashed(_logger, _stream.Name, run.Pid, failure, _restarts.Count, _settings.Options.MaxRestarts, window, delay, run.StderrTail);
        _restartAt = now + (long)(delay * _time.TimestampFrequency);
        _catchUp = true;
    }

    /// <summary>The rungs produced at <paramref name="level"/>: all but the most expensive ones the policy dropped, in ladder order.</summary>
    private List<RenditionOptions> ActiveRungs(int level)
    {
        var dropped = _policy!.DroppedRungsAt(level);
        var expensive = _rungs.OrderByDescending(r => (long)r.Height * r.VideoBitrateKbps).Take(dropped).ToHashSet();
        return _rungs.Where(r => !expensive.Contains(r)).ToList();
    }

    private void LogCappedRungs(int? sourceKbps)
    {
        foreach (var rung in _rungs)
        {
            var configured = _settings.Ladder.Renditions.First(r => r.Name == rung.Name);
            if (rung.VideoBitrateKbps < configured.VideoBitrateKbps)
            {
                TranscodeLog.RungCapped(_logger, _stream.Name, rung.Name, rung.VideoBitrateKbps, configured.VideoBitrateKbps, sourceKbps ?? 0);
            }
        }
    }

    /// <summary>The source's arrival clock: the smallest (read time - PTS) seen maps any PTS to when it arrived.</summary>
    private void NoteArrival(MediaFrame frame)
    {
        if (frame.Kind == TrackKind.Video)
        {
            var offset = Seconds(_time.GetTimestamp()) - MediaTime.ToSeconds(frame.Pts);
            if (offset < _arrivalOffset)
            {
                Volatile.Write(ref _arrivalOffset, offset);
            }
        }
    }

    private double Seconds(long timestamp) => timestamp / (double)_time.TimestampFrequency;

    private async Task MonitorAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_tick, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                Tick();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Tick()
    {
        var run = Volatile.Read(ref _run);
        if (_stream.State == StreamState.Reconnecting)
        {
            if (run is not null)
            {
                _source.Wake(); // the feed loop flushes ffmpeg (OnSourcePausedAsync)
            }

            return; // no input: neither lag nor hang means anything now
        }

        var now = Seconds(_time.GetTimestamp());
        Status.QueuedFrames = _source.QueuedFrames;
        Status.DroppedInputFrames = _source.DroppedFrames + Interlocked.Read(ref _droppedByPolicy);
        if (run is null || run.HasExited)
        {
            return;
        }

        if (run.IsStalled(TimeSpan.FromSeconds(_settings.Options.StallTimeoutSeconds)))
        {
            run.KillAsHung(); // the feed loop sees it exit (and the run that it was hung) and restarts it
            return;
        }

        if (run != _judgedRun)
        {
            // A new ffmpeg gets time to start up before its lag counts, and its speed is its own.
            _judgedRun = run;
            _policy!.Hold(now);
            _speedSamples.Clear();
        }

        // Until the run's first output the last output is the previous run's: not this one's lag.
        if (_router.OutputPts is not { } outputPts || run.LastOutputAt == run.StartedAt)
        {
            return;
        }

        var outputSeconds = MediaTime.ToSeconds(outputPts);
        var arrival = Volatile.Read(ref _arrivalOffset);
        var lag = Math.Max(0, now - (outputSeconds + arrival));
        Status.LagSeconds = lag;
        Status.RungLagSeconds = _router.RungProgress().ToDictionary(p => p.Key, p => Math.Max(0, now - (MediaTime.ToSeconds(p.Value) + arrival)), StringComparer.Ordinal);
        Status.Speed = MeasureSpeed(now, outputSeconds);


        var policy = _policy!;
        var from = policy.Level;
        var change = policy.Evaluate(now, lag);
        _desiredLevel = policy.Level;
        if (change > 0)
        {
            TranscodeLog.Degraded(_logger, _stream.Name, lag, _settings.LagBudgetSeconds, Status.Speed, policy.Level, policy.Describe());
            if (policy.NeedsRestart(from, policy.Level))
            {
                // The lagging run is stopped now, not at the next keyframe its blocked input reaches:
                // its backlog is late already, and the next run starts from the live edge.
                _stoppedForStep = true;
                run.Kill();
            }
        }
        else if (change < 0)
        {
            TranscodeLog.Recovered(_logger, _stream.Name, lag, Status.Speed, policy.Level, policy.Describe());
        }
        else if (policy.DropsInput && lag > _settings.LagBudgetSeconds)
        {
            _catchUp = true; // read by the feed loop at its next frame
            TranscodeLog.SkippedInput(_logger, _stream.Name, lag);
        }
    }

    private double MeasureSpeed(double now, double outputSeconds)
    {
        _speedSamples.Enqueue((now, outputSeconds));
        while (now - _speedSamples.Peek().At > s_speedWindow.TotalSeconds)
        {
            _speedSamples.Dequeue();
        }

        var (firstAt, firstOutput) = _speedSamples.Peek();
        return now - firstAt > 0 ? Math.Max(0, outputSeconds - firstOutput) / (now - firstAt) : Status.Speed;
    }
}
