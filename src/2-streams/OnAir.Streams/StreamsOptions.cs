namespace OnAir.Streams;

/// <summary>Limits of the stream core. Bound under <c>streams</c> in onair.json.</summary>
public sealed class StreamsOptions
{
    /// <summary>
    /// Frames a subscriber may have queued before it is considered too slow and frames are dropped
    /// up to the next keyframe. Default 1024: about 10 s of 30 fps video with 48 kHz AAC.
    /// </summary>
    public int SubscriberQueueFrames { get; set; } = 1024;

    /// <summary>
    /// Most frames the GOP cache keeps for late subscribers; a longer GOP is not cached (late
    /// subscribers then wait for the next keyframe). Default 1024.
    /// </summary>
    public int GopCacheMaxFrames { get; set; } = 1024;

    /// <summary>Longest stream name accepted; names appear in URLs and file paths. Default 128.</summary>
    public int MaxStreamNameLength { get; set; } = 128;

    /// <summary>
    /// Stream key → public stream name. Empty (the default): any key is accepted and the name is
    /// the key. Otherwise only listed keys may publish, and viewers see the mapped name, never the key.
    /// </summary>
    public Dictionary<string, string> StreamKeys { get; set; } = new(StringComparer.Ordinal);
}
