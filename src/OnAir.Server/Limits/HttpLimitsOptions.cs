namespace OnAir.Server.Limits;

/// <summary>
/// What one HTTP client may hold of the server, set deliberately rather than left to Kestrel's
/// defaults (which keep an idle connection 130 s). Bound under <c>http</c> in onair.json.
/// </summary>
public sealed class HttpLimitsOptions
{
    /// <summary>
    /// Seconds a connection may sit without a request, before its first one or between two, before
    /// it is closed. Default 20: players reload a live playlist every target duration (and LL-HLS
    /// ones hold a request open instead), so they keep theirs; idle sockets do not pile up.
    /// </summary>
    public double KeepAliveTimeoutSeconds { get; set; } = 20;

    /// <summary>Seconds a client has to send a request's headers once it began (a slowloris trickles them). Default 15.</summary>
    public double RequestHeadersTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Connections one remote address may hold open on the HTTP port; more are closed at once. Default
    /// 1000 (viewers behind one NAT, an edge cache's pool); 0: no cap. Behind a reverse proxy every
    /// viewer comes from the proxy's address: raise it or set 0 there.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 1000;

    public TimeSpan KeepAliveTimeout => TimeSpan.FromSeconds(KeepAliveTimeoutSeconds);

    public TimeSpan RequestHeadersTimeout => TimeSpan.FromSeconds(RequestHeadersTimeoutSeconds);
}
