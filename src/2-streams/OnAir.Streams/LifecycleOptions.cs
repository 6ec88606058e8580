namespace OnAir.Streams;

/// <summary>How a stream outlives its publisher. Bound under <c>lifecycle</c> in onair.json.</summary>
public sealed class LifecycleOptions
{
    /// <summary>
    /// Seconds a stream whose publisher was lost (socket closed, idle timeout) stays
    /// <c>reconnecting</c>, its playlists live and advancing with gap segments, waiting for the
    /// same key to publish again. Default 15 (mobile and home encoders drop for 5-20 s).
    /// </summary>
    public double ReconnectGraceSeconds { get; set; } = 15;

    /// <summary>
    /// Whether a publisher that says it is done (RTMP FCUnpublish / deleteStream) ends the stream at
    /// once. Default true; false waits the grace period as for a dropped socket.
    /// </summary>
    public bool EndOnUnpublish { get; set; } = true;

    /// <summary>
    /// Seconds an ended stream stays listed by the API (state <c>ended</c>) and its playlists, with
    /// ENDLIST, stay served; then they are removed with their segments. Default 30 (never less
    /// than hls.segmentRetentionSeconds for the files).
    /// </summary>
    public double EndedRetentionSeconds { get; set; } = 30;
}
