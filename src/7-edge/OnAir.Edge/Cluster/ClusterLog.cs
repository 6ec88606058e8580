using Microsoft.Extensions.Logging;

namespace OnAir.Edge.Cluster;

/// <summary>Structured cluster logs, stable event ids 6000-6099.</summary>
internal static partial class ClusterLog
{
    [LoggerMessage(6000, LogLevel.Information, "Cluster: node {NodeId} shares its streams through Redis {Endpoint} (heartbeat {HeartbeatSeconds} s, TTL {TtlSeconds} s)")]
    public static partial void Joined(ILogger logger, string nodeId, string endpoint, double heartbeatSeconds, double ttlSeconds);

    [LoggerMessage(6001, LogLevel.Error, "Cluster: Redis {Endpoint} is unreachable ({Reason}); node {NodeId} keeps serving its own streams, but other nodes do not see them and names are not checked across nodes until it is back")]
    public static partial void Unreachable(ILogger logger, string endpoint, string nodeId, string reason);

    [LoggerMessage(6002, LogLevel.Information, "Cluster: Redis {Endpoint} is reachable again; node {NodeId} shares its streams again")]
    public static partial void Reachable(ILogger logger, string endpoint, string nodeId);
}
