using System.Diagnostics.Metrics;

namespace OnAir.Server.Limits;

/// <summary>Connections the listeners refused (the <c>OnAir.Connections</c> meter).</summary>
public sealed class ConnectionMetrics
{
    public const string MeterName = "OnAir.Connections";

    private readonly Counter<long> _refused;

    public ConnectionMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _refused = meter.CreateCounter<long>("onair.connections.refused", "{connection}", "Connections closed at once because their address held the most its listener allows (rtmp.maxConnectionsPerAddress, http.maxConnectionsPerAddress)");
    }

    public void Refused(string listener) => _refused.Add(1, new KeyValuePair<string, object?>("listener", listener));
}
