namespace OnAir.Origin;

/// <summary>HTTP origin behaviour. Bound under <c>origin</c> in onair.json.</summary>
public sealed class OriginOptions
{
    /// <summary>
    /// Seconds a playlist request for a stream that is live but has no segment yet waits for the
    /// first one, instead of answering 404 to a player that arrived early. Default 6 (below hls.js's 10 s timeout).
    /// </summary>
    public double PlaylistWaitSeconds { get; set; } = 6;
}
