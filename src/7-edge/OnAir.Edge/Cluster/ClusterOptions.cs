namespace OnAir.Edge.Cluster;

/// <summary>More than one node sharing one Redis. Bound under <c>cluster</c> in onair.json; on only with --redis.</summary>
public sealed class ClusterOptions
{
    /// <summary>This node's name in the directory. Default: the host name and HTTP port (HOST:PORT).</summary>
    public string NodeId { get; set; } = "";

    /// <summary>Seconds between this node's refreshes of its entries. Default 2.</summary>
    public double HeartbeatSeconds { get; set; } = 2;

    /// <summary>
    /// Seconds an entry lives without a refresh: a node that died is forgotten, and its names may be
    /// published elsewhere, after this long. Default 10.
    /// </summary>
    public double TtlSeconds { get; set; } = 10;

    /// <summary>Prefix of every Redis key OnAir writes, so several clusters can share one Redis. Default "onair:".</summary>
    public string KeyPrefix { get; set; } = "onair:";
}
