namespace OnAir.Origin;

/// <summary>HTTP origin behaviour. Bound under <c>origin</c> in onair.json.</summary>
public sealed class OriginOptions
{
    /// <summary>
    /// Seconds a playlist request for a stream that is live but has no segment yet waits for the
    /// first one, instead of answering 404 to a player that arrived early. Default 6 (below hls.js's 10 s timeout).
    /// </summary>
    public double PlaylistWaitSeconds { get; set; } = 6;

    /// <summary>
    /// Most LL-HLS requests held at once (blocking playlist reloads and preload-hinted parts, over all
    /// streams). Beyond it a blocking request is answered 503 at once, so a flood cannot hold the
    /// server's memory. Each also times out after three target durations. Default 50000.
    /// </summary>
    public int MaxBlockingRequests { get; set; } = 50_000;

    /// <summary>Seconds after its last request that a viewer stops being counted. Default 30 (a live player asks every target duration).</summary>
    public double ViewerTimeoutSeconds { get; set; } = 30;

    /// <summary>Most (stream, rendition, viewer) entries the viewer count tracks; beyond it counts saturate. Default 100000.</summary>
    public int MaxTrackedViewers { get; set; } = 100_000;

    /// <summary>
    /// Addresses of reverse proxies (a CDN edge, nginx) whose X-Forwarded-For is believed when
    /// counting viewers. Default none: the peer's address is the viewer's.
    /// </summary>
    public List<string> TrustedProxies { get; set; } = [];
}
