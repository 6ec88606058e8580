using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Packaging.Hls;
using OnAir.Streams;

namespace OnAir.Packaging;

/// <summary>
/// Starts HLS packaging for every stream that goes live, and runs the one heartbeat that deletes
/// segments past their retention (and whole finished streams). On shutdown it ends every stream
/// and waits for the playlists to get ENDLIST and the files to be closed.
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
    private readonly CancellationTokenSource _stopping = new();
    private Task? _heartbeat;

    public HlsPackagingService(StreamRegistry registry, HlsOutputRegistry outputs, IOptions<HlsOptions> options, DataDirectory dataDirectory, TimeProvider time, ILogger<HlsPackagingService> logger)
    {
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
        _registry.StreamStarted += OnStreamStarted;
        _heartbeat = RunHeartbeatAsync(_stopping.Token);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _registry.StreamStarted -= OnStreamStarted;
        _registry.EndAll();
        var all = Task.WhenAll(_running.Values);
        await Task.WhenAny(all, Task.Delay(s_shutdownWait, _time, cancellationToken)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_heartbeat is not null)
        {
            await _heartbeat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private void OnStreamStarted(LiveStream stream)
    {
        var output = new StreamOutput(stream.Name, stream.Id, Path.Combine(_dataDirectory.Live, stream.Name, stream.Id));
        var previous = _outputs.Set(output);
        if (previous is not null)
        {
            _finished.TryAdd(previous, 0); // superseded: deleted when its retention has passed
        }

        var packager = new StreamPackager(stream, output, _options, _time, _logger);
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
            if (output.EndedAt is { } ended && now - ended >= retention)
            {
                _finished.TryRemove(output, out _);
                _outputs.Remove(output);
                output.DeleteAll();
                PackagingLog.Deleted(_logger, output.Name, output.StreamId);
            }
        }
    }
}
