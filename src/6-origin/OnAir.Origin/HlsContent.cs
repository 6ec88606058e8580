namespace OnAir.Origin;

/// <summary>Content types and cache policies of HLS responses.</summary>
internal static class HlsContent
{
    public const string PlaylistType = "application/vnd.apple.mpegurl";
    public const string InitSegmentType = "video/mp4";

    /// <summary>Segment URLs never change content (each name holds a stream instance id and a sequence number).</summary>
    public const string ImmutableCache = "public, max-age=31536000, immutable";

    /// <summary>Live playlists change every segment; caches may hold them for at most a second.</summary>
    public const string LivePlaylistCache = "public, max-age=1";

    /// <summary>A finished stream's playlist no longer changes until it is deleted.</summary>
    public const string EndedPlaylistCache = "public, max-age=30";

    /// <summary>The master playlist's BANDWIDTH is refined as segments are measured.</summary>
    public const string MasterPlaylistCache = "public, max-age=2";

    public const string NotFoundCache = "no-cache";

    /// <summary>
    /// A blocking request (_HLS_msn/_HLS_part) names the playlist state it waits for, so the answer
    /// can be cached like the parts it lists: six target durations, as Apple's guidance has it.
    /// </summary>
    public static string BlockingPlaylistCache(int targetDuration) => $"public, max-age={6 * targetDuration}";
}
