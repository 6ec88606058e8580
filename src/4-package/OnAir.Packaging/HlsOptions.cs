namespace OnAir.Packaging;

/// <summary>Live HLS packaging. Bound under <c>hls</c> in onair.json.</summary>
public sealed class HlsOptions
{
    /// <summary>
    /// Segment duration aimed for, in seconds: a segment is cut at the first keyframe once it is
    /// this long. Default 2. The playlist's EXT-X-TARGETDURATION is this, rounded up, or the
    /// publisher's first GOP when that is longer (see docs/architecture.md).
    /// </summary>
    public double TargetDurationSeconds { get; set; } = 2;

    /// <summary>Upper bound on EXT-X-TARGETDURATION; GOPs longer than this are cut mid-GOP. Default 10.</summary>
    public int MaxTargetDurationSeconds { get; set; } = 10;

    /// <summary>Segments listed in a live media playlist (the sliding window). Default 6.</summary>
    public int WindowSegments { get; set; } = 6;

    /// <summary>
    /// Seconds a segment stays downloadable after it left the window (and a finished stream's
    /// playlists stay served), then it is deleted. Default 30; RFC 8216 section 6.2.2 asks for at
    /// least the playlist duration plus one segment, which validation enforces.
    /// </summary>
    public double SegmentRetentionSeconds { get; set; } = 30;

    /// <summary>
    /// Low-Latency HLS (rfc8216bis): parts, blocking playlist reload, delta updates, preload hints and
    /// rendition reports. Not a key of its own: set from <c>llHls</c> (<c>--ll-hls</c> / <c>--no-ll-hls</c>, on by default).
    /// </summary>
    public bool LowLatency { get; internal set; }

    /// <summary>The same options with LL-HLS on or off (for the server, from <c>llHls</c>; for tests).</summary>
    public HlsOptions WithLowLatency(bool on)
    {
        var copy = (HlsOptions)MemberwiseClone();
        copy.LowLatency = on;
        return copy;
    }

    /// <summary>
    /// Duration of an LL-HLS part (PART-TARGET), fixed for the life of a playlist. Default 0.334: a
    /// third of a second, rounded up so that ten frames at 30 fps with millisecond timestamps (333 or
    /// 334 ms) make one part. Between 0.2 and 0.5 s per Apple's guidance.
    /// </summary>
    public double PartTargetSeconds { get; set; } = 0.334;

    /// <summary>
    /// Segment container: <c>fmp4</c> (CMAF; the default with LL-HLS) or <c>ts</c> (MPEG-TS; the
    /// default without). Null picks the default for <see cref="LowLatency"/>.
    /// </summary>
    public string? SegmentFormat { get; set; }

    /// <summary>Whether segments are fMP4, as configured or by default.</summary>
    public bool UsesFmp4 => SegmentFormat is null ? LowLatency : string.Equals(SegmentFormat, "fmp4", StringComparison.OrdinalIgnoreCase);

    /// <summary>Seconds to wait at stream start for the other track (audio after the first keyframe, or video after the first audio frame) before packaging without it. Default 1.</summary>
    public double TrackProbeSeconds { get; set; } = 1;
}
