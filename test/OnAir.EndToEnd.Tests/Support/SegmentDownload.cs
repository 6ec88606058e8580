namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// A listed segment downloaded as a player would decode it: an fMP4 segment behind its EXT-X-MAP
/// init segment, an MPEG-TS segment alone; written to a temporary file for ffprobe.
/// </summary>
public sealed class SegmentDownload : IDisposable
{
    private SegmentDownload(string path, int segmentBytes)
    {
        Path = path;
        SegmentBytes = segmentBytes;
    }

    public string Path { get; }

    /// <summary>Bytes of the segment itself (without the init segment).</summary>
    public int SegmentBytes { get; }

    public static async Task<SegmentDownload> FetchAsync(HttpClient http, Uri playlist, PlaylistSegment segment)
    {
        var bytes = await http.GetByteArrayAsync(new Uri(playlist, segment.Uri));
        var init = segment.Map is null ? [] : await http.GetByteArrayAsync(new Uri(playlist, segment.Map));
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"onair-segment-{Guid.NewGuid():N}{System.IO.Path.GetExtension(segment.Uri)}");
        await File.WriteAllBytesAsync(path, [.. init, .. bytes]);
        return new SegmentDownload(path, bytes.Length);
    }

    public void Dispose() => File.Delete(Path);
}
