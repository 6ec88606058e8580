using System.Collections.Concurrent;

namespace OnAir.Ingest.Rtmp;

/// <summary>
/// One timer for every RTMP connection: once a second it closes those that have been silent
/// longer than they may be (handshake or idle timeout) and adapts each publisher's receive
/// batching to its bitrate. Reads only stamp a time and count bytes, so the hot path never re-arms a timer.
/// </summary>
internal sealed class RtmpHeartbeat : IDisposable
{
    private static readonly TimeSpan s_interval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<RtmpConnection, byte> _connections = new();
    private readonly TimeProvider _time;
    private readonly ITimer _timer;

    public RtmpHeartbeat(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(_ => Tick(), null, s_interval, s_interval);
    }

    public void Add(RtmpConnection connection) => _connections.TryAdd(connection, 0);

    public void Remove(RtmpConnection connection) => _connections.TryRemove(connection, out _);

    public void Dispose() => _timer.Dispose();

    private void Tick()
    {
        var now = _time.GetTimestamp();
        foreach (var connection in _connections.Keys)
        {
            connection.OnHeartbeat(now);
        }
    }
}
