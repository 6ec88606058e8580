using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Streams;
using StackExchange.Redis;

namespace OnAir.Edge.Cluster;

/// <summary>
/// The stream registry shared by the nodes of a cluster through one Redis. Each node claims the
/// names it publishes (<c>PREFIX owner:NAME</c> = node, set only when absent or already its own) and
/// its heartbeat (<see cref="ClusterHeartbeat"/>) refreshes its claims and a listing entry per
/// stream (<c>PREFIX stream:NAME</c>), all expiring after <see cref="ClusterOptions.TtlSeconds"/>:
/// a node that dies is forgotten after the TTL. Redis being unreachable (at start or later) never
/// stops a node from serving its own streams; it says so once and again when Redis is back.
/// </summary>
public sealed class RedisStreamDirectory : IStreamOwnership, IAsyncDisposable
{
    // Claim when free or already ours (and refresh the TTL); answer the holder otherwise.
    private const string ClaimScript = """
        local holder = redis.call('GET', KEYS[1])
        if (not holder) or holder == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
          return false
        end
        return holder
        """;

    // Delete only what this node holds.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
          redis.call('DEL', KEYS[1], KEYS[2])
        end
        return 1
        """;

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly string _configuration;
    private readonly ClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisStreamDirectory> _logger;
    private ConnectionMultiplexer? _redis;
    private int _reachable = 1; // logs say "unreachable" once per outage

    public RedisStreamDirectory(string configuration, IOptions<ClusterOptions> options, TimeProvider time, ILogger<RedisStreamDirectory> logger)
    {
        _configuration = configuration;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    public string NodeId => _options.NodeId;

    private TimeSpan Ttl => TimeSpan.FromSeconds(_options.TtlSeconds);

    private IDatabase? Database => _redis is { IsConnected: true } redis ? redis.GetDatabase() : null;

    /// <summary>Connects; when Redis cannot be reached the connection keeps trying in the background.</summary>
    public async Task ConnectAsync()
    {
        var config = ConfigurationOptions.Parse(_configuration);
        config.AbortOnConnectFail = false; // keep trying in the background; this node serves its streams meanwhile
        config.ConnectTimeout = 2000;
        config.SyncTimeout = 2000;
        config.AsyncTimeout = 2000;
        _redis = await ConnectionMultiplexer.ConnectAsync(config).ConfigureAwait(false);
        if (_redis.IsConnected)
        {
            ClusterLog.Joined(_logger, NodeId, _configuration, _options.HeartbeatSeconds, _options.TtlSeconds);
        }
        else
        {
            MarkUnreachable("no connection at start");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask<string?> ClaimAsync(string name)
    {
        if (Database is not { } db)
        {
            return null; // no directory: this node decides alone (it said so when Redis went away)
        }

        try
        {
            var holder = await db.ScriptEvaluateAsync(ClaimScript, [OwnerKey(name)], [NodeId, (long)Ttl.TotalMilliseconds]).ConfigureAwait(false);
            MarkReachable();
            return holder.IsNull ? null : (string?)holder;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkUnreachable(ex.Message);
            return null;
        }
    }

    public void Release(string name)
    {
        if (Database is not { } db)
        {
            return;
        }

        // Fire and forget: the claim expires with the TTL anyway.
        _ = db.ScriptEvaluateAsync(ReleaseScript, [OwnerKey(name), StreamKey(name)], [NodeId], CommandFlags.FireAndForget);
    }

    /// <summary>The streams other nodes list (this node's own are the registry's).</summary>
    public async Task<List<ClusterStream>> RemoteStreamsAsync()
    {
        var streams = new List<ClusterStream>();
        if (_redis is not { IsConnected: true } redis || Database is not { } db)
        {
            return streams;
        }

        try
        {
            var keys = new List<RedisKey>();
            foreach (var endpoint in redis.GetEndPoints())
            {
                await foreach (var key in redis.GetServer(endpoint).KeysAsync(pattern: _options.KeyPrefix + "stream:*", pageSize: 500).ConfigureAwait(false))
                {
                    keys.Add(key);
                }
            }

            if (keys.Count == 0)
            {
                return streams;
            }

            foreach (var value in await db.StringGetAsync([.. keys]).ConfigureAwait(false))
            {
                if (Remote(value) is { } stream)
                {
                    streams.Add(stream);
                }
            }

            MarkReachable();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            MarkUnreachable(ex.Message);
        }

        return streams;
    }

    /// <summary>The stream of that name if another node lists it (one read, not a scan).</summary>
    public async Task<ClusterStream?> RemoteStreamAsync(string name)
    {
        if (Database is not { } db)
        {
            return null;
        }

        try
        {
            var stream = Remote(await db.StringGetAsync(StreamKey(name)).ConfigureAwait(false));
            MarkReachable();
            return stream;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or JsonException)
        {
            MarkUnreachable(ex.Message);
            return null;
        }
    }

    /// <summary>Renews this node's claims and listing entries (and takes the names it lost during an outage back when free).</summary>
    public async Task RefreshAsync(IEnumerable<LiveStream> streams)
    {
        if (Database is not { } db)
        {
            if (_redis is { IsConnected: false })
            {
                MarkUnreachable("connection lost");
            }

            return;
        }

        try
        {
            var ttl = (long)Ttl.TotalMilliseconds;
            var work = new List<Task>();
            foreach (var stream in streams)
            {
                var entry = new ClusterStream(stream.Name, NodeId, stream.SessionId, stream.State == StreamState.Reconnecting ? "reconnecting" : "live", stream.StartedAt);
                work.Add(db.ScriptEvaluateAsync(ClaimScript, [OwnerKey(stream.Name)], [NodeId, ttl]));
                work.Add(db.StringSetAsync(StreamKey(stream.Name), JsonSerializer.Serialize(entry, s_json), Ttl));
            }

            work.Add(db.StringSetAsync(_options.KeyPrefix + "node:" + NodeId, _time.GetUtcNow().ToString("O"), Ttl));
            await Task.WhenAll(work).ConfigureAwait(false);
            MarkReachable();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkUnreachable(ex.Message);
        }
    }

    /// <summary>A listing entry of another node (this node's own are the registry's).</summary>
    private ClusterStream? Remote(RedisValue value) =>
        value.HasValue && JsonSerializer.Deserialize<ClusterStream>((string)value!, s_json) is { } stream && stream.Node != NodeId ? stream : null;

    private RedisKey OwnerKey(string name) => _options.KeyPrefix + "owner:" + name;

    private RedisKey StreamKey(string name) => _options.KeyPrefix + "stream:" + name;

    private void MarkUnreachable(string reason)
    {
        if (Interlocked.Exchange(ref _reachable, 0) == 1)
        {
            ClusterLog.Unreachable(_logger, _configuration, NodeId, reason);
        }
    }

    private void MarkReachable()
    {
        if (Interlocked.Exchange(ref _reachable, 1) == 0)
        {
            ClusterLog.Reachable(_logger, _configuration, NodeId);
        }
    }
}
