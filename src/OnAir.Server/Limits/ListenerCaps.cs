using OnAir.Ingest.Rtmp;

namespace OnAir.Server.Limits;

/// <summary>The per-address connection caps, one per listener group: RTMPS counts with RTMP, HTTP apart.</summary>
public sealed class ListenerCaps : IDisposable
{
    public ListenerCaps(RtmpOptions rtmp, HttpLimitsOptions http, ConnectionMetrics metrics, TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("OnAir.Connections");
        Rtmp = new ConnectionsPerAddress("RTMP", rtmp.MaxConnectionsPerAddress, "rtmp.maxConnectionsPerAddress", metrics, time, logger);
        Http = new ConnectionsPerAddress("HTTP", http.MaxConnectionsPerAddress, "http.maxConnectionsPerAddress", metrics, time, logger);
    }

    public ConnectionsPerAddress Rtmp { get; }

    public ConnectionsPerAddress Http { get; }

    public void Dispose()
    {
        Rtmp.Dispose();
        Http.Dispose();
    }
}
