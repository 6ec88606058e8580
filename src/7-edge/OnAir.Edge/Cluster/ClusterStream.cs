namespace OnAir.Edge.Cluster;

/// <summary>A stream as the shared directory lists it: enough for another node's API.</summary>
public sealed record ClusterStream(string Name, string Node, string SessionId, string State, DateTimeOffset StartedAt);
