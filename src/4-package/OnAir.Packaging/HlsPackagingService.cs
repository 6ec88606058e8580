using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Packaging.Hls;
using OnAir.Streams;

namespace OnAir.Packaging;

/// <summary>
/// Packages every stream as HLS, following the streams' lifecycle events on a loop of its own:
/// a start creates the stream's output and packager, a rendition added is packaged too, a
/// reconnect keeps the playlists advancing with gap segments until the publisher is back. Runs the
/// one heartbeat that deletes segments past their retention (and whole finished streams). On
/// shutdown it ends every stream and waits for the playlists to get ENDLIST and the files to be closed.
/// </summary>
public sealed class HlsPackagingService : IHostedService, IDisposable
{
    private static readonly TimeSpan s_heartbeat = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_shutdownWait = TimeSpan.FromSeconds(10);

    private readonly StreamRegistry _registry;
    private readonly HlsOutputRegistry _outputs;
    private readonly HlsOptions _options;
    private readonly DataDirectory _dataDirectory;
    private readonly TimeProvider _time;
    private readonly ILogger<HlsPackagingService> _logger;
    private readonly ConcurrentDictionary<StreamOutput, Task> _running = new();
    private readonly ConcurrentDictionary<StreamOutput, byte> _finished = new();
    private readonly Dictionary<LiveStream, StreamPackager> _packagers = []; // owned by the event loop
    private readonly CancellationTokenSource _stopping = new();
    private ChannelReader<StreamEvent>? _events;
    private Task? _eventLoop;
    private Task? _heartbeat;

    private readonly TimeSpan _endedRetention;
    private readonly PackagingMetrics? _metrics;

    public HlsPackagingService(StreamRegistry registry, HlsOutputRegistry outputs, IOptions<HlsOptions> options, IOptions<LifecycleOptions> lifecycle, DataDirectory dataDirectory, TimeProvider time, ILogger<HlsPackagingService> logger, PackagingMetrics? metrics = null)
    {
        _metrics = metrics;
        _endedRetention = TimeSpan.FromSeconds(Math.Max(options.Value.SegmentRetentionSeconds, lifecycle.Value.EndedRetentionSeconds));
        _registry = registry;
        _outputs = outputs;
        _options = options.Value;
        _dataDirectory = dataDirectory;
        _time = time;
        _logger = logger;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Live segments of a previous run are useless (no playlist lists them): start clean.
        if (Directory.Exists(_dataDirectory.Live))
        {
            Directory.Delete(_dataDirectory.Live, recursive: true);
        }

        Directory.CreateDirectory(_dataDirectory.Live);
        _events = _registry.Events.Subscribe();
        _eventLoop = RunEventsAsync(_events);
        _heartbeat = RunHeartbeatAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _registry.EndAllAsync("the server is shutting down").WaitAsync(s_shutdownWait, _time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_events is not null)
        {
            _registry.Events.Unsubscribe(_events);
            await _eventLoop!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        var all = Task.WhenAll(_running.Values);
        await Task.WhenAny(all, Task.Delay(s_shutdownWait, _time, cancellationToken)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeat is not null)
        {
            await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

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
                PackagingLog.OutputFailed(_logger, ex, streamEvent.Stream.Name, _dataDirectory.Live);
            }
        }
    }

    private void OnStreamEvent(StreamEvent streamEvent)
    {
        var stream = streamEvent.Stream;
        switch (streamEvent.Kind)
        {
            case StreamEventKind.Started:
                StartPackaging(stream);
                break;
            case StreamEventKind.RenditionAdded when _packagers.TryGetValue(stream, out var packager):
                packager.Add(streamEvent.Rendition!);
                break;
            case StreamEventKind.Reconnecting when _packagers.TryGetValue(stream, out var packager):
                packager.OnPublisherLost();
                break;
            case StreamEventKind.Resumed when _packagers.TryGetValue(stream, out var packager):
                packager.OnPublisherBack();
                break;
            case StreamEventKind.Ended:
                _packagers.Remove(stream); // its packager finishes as its feeds drain
                break;
        }
    }

    private void StartPackaging(LiveStream stream)
    {
        var output = new StreamOutput(stream.Name, stream.SessionId, Path.Combine(_dataDirectory.Live, stream.Name, stream.SessionId));
        var previous = _outputs.Set(output);
        if (previous is not null)
        {
            _finished.TryAdd(previous, 0); // superseded: deleted when its retention has passed
        }

        var packager = new StreamPackager(stream, output, _options, _time, _logger, _metrics);
        _packagers[stream] = packager;
        _running[output] = RunPackagerAsync(packager);
    }

    private async Task RunPackagerAsync(StreamPackager packager)
    {
        await packager.RunAsync(CancellationToken.None).ConfigureAwait(false);
        _running.TryRemove(packager.Output, out _);
        _finished.TryAdd(packager.Output, 0);
    }

    private async Task RunHeartbeatAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_heartbeat, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                CollectExpired();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Deletes retired segments everywhere, and whole streams whose end is older than the retention.</summary>
    internal void CollectExpired()
    {
        var now = _time.GetUtcNow();
        var retention = TimeSpan.FromSeconds(_options.SegmentRetentionSeconds);
        foreach (var output in _outputs.All)
        {
            foreach (var rendition in output.Renditions)
            {
                rendition.DeleteExpired(now, retention);
            }
        }

        foreach (var output in _finished.Keys)
        {
            if (output.EndedAt is { } ended && now - ended >= _endedRetention)
            {
                _finished.TryRemove(output, out _);
                _outputs.Remove(output);
                output.DeleteAll();
                PackagingLog.Deleted(_logger, output.Name, output.StreamId);
            }
        }
    }
}
