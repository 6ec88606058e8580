using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OnAir.Streams;

namespace OnAir.Edge.Cluster;

/// <summary>Connects this node to the cluster's Redis and refreshes its entries every <see cref="ClusterOptions.HeartbeatSeconds"/> (one timer for all streams).</summary>
public sealed class ClusterHeartbeat : IHostedService, IDisposable
{
    private readonly RedisStreamDirectory _directory;
    private readonly StreamRegistry _registry;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;

    public ClusterHeartbeat(RedisStreamDirectory directory, StreamRegistry registry, IOptions<ClusterOptions> options, TimeProvider time)
    {
        _directory = directory;
        _registry = registry;
        _options = options.Value;
        _time = time;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _directory.ConnectAsync().ConfigureAwait(false);
        _loop = RunAsync(_stopping.Token);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_options.HeartbeatSeconds), _time);
        try
        {
            do
            {
                await _directory.RefreshAsync(_registry.Streams).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
