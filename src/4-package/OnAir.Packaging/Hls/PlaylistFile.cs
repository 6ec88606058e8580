namespace OnAir.Packaging.Hls;

/// <summary>
/// Playlists are also written next to their segments, so the data directory is a complete HLS
/// tree a stock web server can serve, and a stopped server leaves playlists with ENDLIST.
/// Written to a temporary name and renamed, so a reader never sees half a playlist.
/// </summary>
internal static class PlaylistFile
{
    public static void Write(string path, byte[] content)
    {
        var temporary = path + ".tmp"; // one writer per playlist: its packager, or the master's publisher
        File.WriteAllBytes(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
