using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Packaging;
using OnAir.Streams;

namespace OnAir.Recording;

/// <summary>
/// Records broadcasts, following the streams' lifecycle events on a loop of its own: a start that
/// the policy records opens a recording, a rendition added is recorded too when the policy says
/// all, a reconnect needs nothing (the recorders see the new session's frames continue the same
/// feeds, and the jump in time becomes a discontinuity), an end finalises. At start it repairs and
/// finalises what a crashed server left recording; a heartbeat applies retention.
/// </summary>
public sealed class RecordingService : IHostedService, IDisposable
{
    private static readonly TimeSpan s_retentionPeriod = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan s_shutdownWait = TimeSpan.FromSeconds(15);

    private readonly StreamRegistry _registry;
    private readonly RecordingCatalog _catalog;
    private readonly RecordingEvents _events;
    private readonly RecordingOptions _options;
    private readonly double _fragmentSeconds;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordingService> _logger;
    private readonly RecordingMetrics? _metrics;
    private readonly Dictionary<LiveStream, StreamRecording> _active = []; // owned by the event loop
    private readonly ConcurrentDictionary<string, StreamRecording> _recording = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _finishing = new();
    private readonly ConcurrentDictionary<string, int> _pinned = new(StringComparer.Ordinal); // recordings being clipped: not deleted meanwhile
    private readonly CancellationTokenSource _stopping = new();
    private ChannelReader<StreamEvent>? _streamEvents;
    private Task? _eventLoop;
    private Task? _heartbeat;

    public RecordingService(StreamRegistry registry, RecordingCatalog catalog, RecordingEvents events, IOptions<RecordingOptions> options, IOptions<HlsOptions> hls, TimeProvider time, ILogger<RecordingService> logger, RecordingMetrics? metrics = null)
    {
        _registry = registry;
        _catalog = catalog;
        _events = events;
        _options = options.Value;
        _fragmentSeconds = hls.Value.TargetDurationSeconds;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        Budget = new RecordingBudget(_options.MaxTotalBytes) { MakeRoom = MakeRoom };
    }

    internal RecordingBudget Budget { get; }

    /// <summary>While <paramref name="id"/> records: the bytes written so far, and why it stopped early if it did (null when it is not recording).</summary>
    public RecordingProgress? Progress(string id) => _recording.TryGetValue(id, out var recording) ? new RecordingProgress(recording.BytesWritten, recording.StoppedBecause) : null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var loaded = _catalog.Load(_logger);
        Budget.Adjust(loaded.Sum(r => r.SizeBytes));
        foreach (var unfinished in loaded.Where(r => r.State == RecordingState.Recording))
        {
            Track(Task.Run(() => Finalise(unfinished with { EndedAt = unfinished.EndedAt ?? _time.GetUtcNow() }, repairing: true, counted: 0), CancellationToken.None));
        }

        _streamEvents = _registry.Events.Subscribe();
        _eventLoop = RunEventsAsync(_streamEvents);
        _heartbeat = RunRetentionAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // Registered before packaging, so it stops after it: the streams have ended by now and their recordings are finishing.
        if (_streamEvents is not null)
        {
            _registry.Events.Unsubscribe(_streamEvents);
            await _eventLoop!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await Task.WhenAny(Task.WhenAll(_finishing.Keys), Task.Delay(s_shutdownWait, _time, cancellationToken)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeat is not null)
        {
            await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    /// <summary>Deletes a finished recording (API). False when it does not exist, is still recording, or is being clipped.</summary>
    public bool Delete(string id, out RecordingInfo? found)
    {
        if (!_catalog.TryRemove(id, Removable, out found))
        {
            found ??= _catalog.TryGet(id, out var existing) ? existing : null;
            return false;
        }

        Budget.Adjust(-found!.SizeBytes);
        _catalog.DeleteFiles(id, _logger);
        return true;
    }

    /// <summary>
    /// Cuts a clip of the finished recording <paramref name="id"/> from <paramref name="start"/> to
    /// <paramref name="end"/> seconds (its VOD timeline), at fragment boundaries, which are keyframes: a
    /// new recording of its own, made of a copy of those fragments, finalised like any other.
    /// </summary>
    /// <exception cref="ArgumentException">The range is empty or outside the recording.</exception>
    public async Task<RecordingInfo> ClipAsync(RecordingInfo source, double start, double end)
    {
        _pinned.AddOrUpdate(source.Id, 1, (_, n) => n + 1);
        (RecordingInfo Info, long Bytes) clip;
        try
        {
            clip = await Task.Run(() => ClipMaker.Create(source, start, end, _time.GetUtcNow(), _catalog, Budget, _logger)).ConfigureAwait(false);
        }
        finally
        {
            _pinned.AddOrUpdate(source.Id, 0, (_, n) => n - 1);
            _pinned.TryRemove(new KeyValuePair<string, int>(source.Id, 0));
        }

        return await Task.Run(() => Finalise(clip.Info, repairing: false, counted: clip.Bytes)).ConfigureAwait(false);
    }

    /// <summary>Applies maximum age and total size now: the oldest finished recordings go first.</summary>
    public void ApplyRetention()
    {
        if (_options.MaxAgeHours > 0)
        {
            var cutoff = _time.GetUtcNow() - TimeSpan.FromHours(_options.MaxAgeHours);
            foreach (var old in _catalog.All.Where(r => r.State != RecordingState.Recording && (r.EndedAt ?? r.StartedAt) < cutoff))
            {
                DeleteForRetention(old.Id, $"older than recording.maxAgeHours ({_options.MaxAgeHours} h)");
            }
        }

        MakeRoom(0);
    }

    private async Task RunEventsAsync(ChannelReader<StreamEvent> events)
    {
        await foreach (var streamEvent in events.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                OnStreamEvent(streamEvent);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                RecordingLog.Failed(_logger, streamEvent.Stream.Name, $"cannot write under {_catalog.Root} ({ex.Message}); live delivery is unaffected");
            }
        }
    }

    private void OnStreamEvent(StreamEvent streamEvent)
    {
        var stream = streamEvent.Stream;
        switch (streamEvent.Kind)
        {
            case StreamEventKind.Started when _options.Records(stream.Name):
                StartRecording(stream);
                break;
            case StreamEventKind.RenditionAdded when _options.RecordsAllRenditions && _active.TryGetValue(stream, out var recording):
                recording.Add(streamEvent.Rendition!);
                RecordingLog.RenditionAdded(_logger, recording.Info.Id, streamEvent.Rendition!.Name);
                break;
            case StreamEventKind.Ended when _active.Remove(stream, out var recording):
                Track(FinishAsync(recording, streamEvent.At));
                break;
        }
    }

    private void StartRecording(LiveStream stream)
    {
        var info = _catalog.Create(stream.Name, stream.StartedAt, id => new RecordingInfo(id, stream.Name, stream.SessionId, stream.StartedAt, RecordingState.Recording, []));
        var recording = new StreamRecording(info, _catalog, _fragmentSeconds, Budget, _time, _logger, _metrics);
        _active[stream] = recording;
        _recording[info.Id] = recording;
        var renditions = _options.RecordsAllRenditions ? stream.Renditions : [stream.Source];
        foreach (var rendition in renditions)
        {
            recording.Add(rendition);
        }

        RecordingLog.Started(_logger, info.Id, stream.Name, stream.SessionId, string.Join(", ", renditions.Select(r => r.Name)));
    }

    private async Task FinishAsync(StreamRecording recording, DateTimeOffset endedAt)
    {
        RecordingInfo info;
        try
        {
            info = await recording.CompleteAsync(endedAt).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A recorder that failed in a way nobody expected: finalise what it wrote, say why.
            info = recording.Info with { EndedAt = endedAt, Error = $"the recorder failed: {ex.Message}" };
        }

        await Task.Run(() => Finalise(info, repairing: false, counted: recording.BytesWritten)).ConfigureAwait(false);
        _recording.TryRemove(info.Id, out _);
    }

    /// <param name="counted">Bytes of this recording the budget already counts: it is corrected to what is on disk.</param>
    private RecordingInfo Finalise(RecordingInfo info, bool repairing, long counted)
    {
        var started = Stopwatch.GetTimestamp();
        RecordingInfo finished;
        try
        {
            finished = RecordingFinalizer.Finalise(info, _catalog, repairing, _logger);
        }
        catch (Exception ex)
        {
            // Whatever went wrong, the recording leaves the recording state: failed, with the reason.
            finished = info with { State = RecordingState.Failed, Error = $"finalising failed: {ex.Message}" };
        }

        try
        {
            if (!_catalog.Save(finished))
            {
                return finished; // deleted while it was being finalised
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RecordingLog.Failed(_logger, info.Id, $"recording.json cannot be written ({ex.Message}); it is finalised again at the next start");
        }

        Budget.Adjust(finished.SizeBytes - counted);
        var took = Stopwatch.GetElapsedTime(started);
        _metrics?.Finished(finished.State, took);
        if (finished.State == RecordingState.Ready)
        {
            RecordingLog.Ready(_logger, finished.Id, finished.DurationSeconds, finished.SizeBytes, finished.Renditions.Count, took.TotalMilliseconds);
            _events.Ready(finished);
        }
        else
        {
            RecordingLog.Failed(_logger, finished.Id, finished.Error ?? "unknown");
        }

        return finished;
    }

    /// <summary>
    /// Deletes finished recordings, oldest first, until <paramref name="bytes"/> more fit under the
    /// size limit; deletes nothing when even all of them would not make the room. Called by
    /// recorders, clips and the heartbeat. Files are deleted after the choice, outside the lock.
    /// </summary>
    private bool MakeRoom(long bytes)
    {
        if (Budget.Limit is not { } limit)
        {
            return true;
        }

        long StillNeeded() => Budget.Used + bytes - limit;
        var victims = _catalog.TakeOldest(Removable, StillNeeded, victim => Budget.Adjust(-victim.SizeBytes));
        foreach (var victim in victims)
        {
            _catalog.DeleteFiles(victim.Id, _logger);
            RecordingLog.Expired(_logger, victim.Id, $"recording.maxTotalMegabytes ({_options.MaxTotalMegabytes} MiB) needs room");
        }

        return StillNeeded() <= 0;
    }

    /// <summary>Finished, and not being clipped.</summary>
    private bool Removable(RecordingInfo recording) => recording.State != RecordingState.Recording && !_pinned.ContainsKey(recording.Id);

    private void DeleteForRetention(string id, string reason)
    {
        if (Delete(id, out _))
        {
            RecordingLog.Expired(_logger, id, reason);
        }
    }

    private async Task RunRetentionAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_retentionPeriod, _time);
        try
        {
            do
            {
                try
                {
                    ApplyRetention();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    RecordingLog.Failed(_logger, _catalog.Root, $"retention could not run ({ex.Message}); it tries again in a minute");
                }
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Track(Task task)
    {
        _finishing[task] = 0;
        _ = task.ContinueWith(t => _finishing.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
