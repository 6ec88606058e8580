using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Connections;
using OnAir.Streams.Diagnostics;

namespace OnAir.Server.Limits;

/// <summary>
/// Caps the connections one remote address holds open on a listener (RTMP and RTMPS count
/// together, HTTP apart): one host opening thousands of sockets cannot take the descriptors,
/// memory and handshake timers every other client needs. A connection over the cap is closed
/// before a byte of it is read, counted in <see cref="ConnectionMetrics"/>, and logged (a flood as
/// a count per interval).
/// </summary>
public sealed class ConnectionsPerAddress : IDisposable
{
    private readonly ConcurrentDictionary<IPAddress, int> _open = new();
    private readonly string _listener;
    private readonly int _max;
    private readonly ConnectionMetrics _metrics;
    private readonly ILogger _logger;
    private readonly RepeatedWarning _refusals;
    private readonly string _setting;

    /// <param name="listener">Names the listener in logs and metrics (rtmp, http).</param>
    /// <param name="max">Most connections per address; 0 or less: no cap.</param>
    /// <param name="setting">The setting that raises the cap, for the log line.</param>
    public ConnectionsPerAddress(string listener, int max, string setting, ConnectionMetrics metrics, TimeProvider time, ILogger logger)
    {
        _listener = listener;
        _max = max;
        _metrics = metrics;
        _logger = logger;
        _setting = setting;
        _refusals = new RepeatedWarning(time, (count, interval) => ServerLog.RefusalsSuppressed(logger, count, listener, interval.TotalSeconds, setting, max));
    }

    /// <summary>Connections <paramref name="address"/> holds now (for tests and diagnostics).</summary>
    public int OpenFrom(IPAddress address) => _open.GetValueOrDefault(Normalize(address));

    /// <summary>Kestrel connection middleware: first on the listener, before TLS, so a refused connection costs no handshake.</summary>
    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (_max <= 0 || connection.RemoteEndPoint is not IPEndPoint { Address: var remote })
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var address = Normalize(remote);
        if (!TryOpen(address))
        {
            _metrics.Refused(_listener);
            if (_refusals.ShouldLog())
            {
                ServerLog.ConnectionRefused(_logger, _listener, connection.RemoteEndPoint.ToString() ?? address.ToString(), _max, _setting);
            }

            connection.Abort(new ConnectionAbortedException($"{address} holds {_max} connections, the most {_setting} allows"));
            return;
        }

        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Close(address);
        }
    };

    public void Dispose() => _refusals.Dispose();

    /// <summary>Counts the connection in unless the address is at the cap: a refusal never holds a slot, even briefly.</summary>
    private bool TryOpen(IPAddress address)
    {
        while (true)
        {
            if (!_open.TryGetValue(address, out var open))
            {
                if (_open.TryAdd(address, 1))
                {
                    return true;
                }

                continue;
            }

            if (open >= _max)
            {
                return false;
            }

            if (_open.TryUpdate(address, open + 1, open))
            {
                return true;
            }
        }
    }

    private void Close(IPAddress address)
    {
        if (_open.AddOrUpdate(address, 0, (_, n) => n - 1) == 0)
        {
            _open.TryRemove(new KeyValuePair<IPAddress, int>(address, 0)); // only if no connection came meanwhile
        }
    }

    /// <summary>An IPv4 client on a dual-stack socket arrives as ::ffff:a.b.c.d: the same address either way.</summary>
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
