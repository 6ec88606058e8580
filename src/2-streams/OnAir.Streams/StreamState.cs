namespace OnAir.Streams;

/// <summary>Where a stream is in its life. Only ever moves forward, except reconnecting ↔ live.</summary>
public enum StreamState
{
    /// <summary>Created for a publish that is being attached; no frame yet.</summary>
    Starting,

    /// <summary>A publisher is attached and writing.</summary>
    Live,

    /// <summary>The publisher was lost; the stream waits for it (the same key) within the grace period, playlists stay live.</summary>
    Reconnecting,

    /// <summary>Over: every rendition's feed has completed, playlists carry ENDLIST.</summary>
    Ended,
}
