using System.Collections.Concurrent;
using System.Text;

namespace OnAir.Packaging.Hls;

/// <summary>
/// What the origin serves for one rendition: the current media playlist (an immutable snapshot,
/// swapped atomically) and the segments that may be downloaded (listed ones plus those within
/// their retention grace). Segments are looked up by file name only, so no request path can
/// reach a file the packager did not write.
/// </summary>
public sealed class RenditionOutput
{
    private readonly ConcurrentDictionary<string, SegmentInfo> _downloadable = new(StringComparer.Ordinal);
    private readonly Queue<(SegmentInfo Segment, DateTimeOffset RetiredAt)> _retired = new();
    private readonly Lock _retiredGate = new();
    private byte[]? _playlist;
    private RenditionVariant? _variant;

    public RenditionOutput(string name, string directory)
    {
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    /// <summary>Where this rendition's segment files live.</summary>
    public string Directory { get; }

    /// <summary>The media playlist bytes, or null before the first segment closed.</summary>
    public byte[]? Playlist => Volatile.Read(ref _playlist);

    /// <summary>The master playlist's facts about this rendition, once measured.</summary>
    public RenditionVariant? Variant => Volatile.Read(ref _variant);

    public bool IsEnded { get; private set; }

    public int DownloadableCount => _downloadable.Count;

    public bool TryGetSegment(string fileName, out SegmentInfo? segment) => _downloadable.TryGetValue(fileName, out segment);

    internal void AddSegment(SegmentInfo segment) => _downloadable[segment.FileName] = segment;

    internal void Publish(string playlist, RenditionVariant? variant, bool ended)
    {
        if (variant is not null)
        {
            Volatile.Write(ref _variant, variant);
        }

        IsEnded = ended;
        var bytes = Encoding.UTF8.GetBytes(playlist);
        PlaylistFile.Write(Path.Combine(Directory, "playlist.m3u8"), bytes, Name);
        Volatile.Write(ref _playlist, bytes);
    }

    /// <summary>A segment left the window: it stays downloadable until the retention grace has passed.</summary>
    internal void Retire(SegmentInfo segment, DateTimeOffset now)
    {
        if (segment.Gap)
        {
            return; // no file
        }

        lock (_retiredGate)
        {
            _retired.Enqueue((segment, now));
        }
    }

    /// <summary>Deletes segments retired longer than <paramref name="retention"/> ago. Returns how many were deleted.</summary>
    internal int DeleteExpired(DateTimeOffset now, TimeSpan retention)
    {
        List<SegmentInfo>? expired = null;
        lock (_retiredGate)
        {
            while (_retired.TryPeek(out var entry) && now - entry.RetiredAt >= retention)
            {
                _retired.Dequeue();
                (expired ??= []).Add(entry.Segment);
            }
        }

        if (expired is null)
        {
            return 0;
        }

        foreach (var segment in expired)
        {
            _downloadable.TryRemove(segment.FileName, out _);
            TryDelete(segment.FilePath);
        }

        return expired.Count;
    }

    /// <summary>Removes every file of this rendition (the stream's retention after its end has passed).</summary>
    internal void DeleteAll()
    {
        lock (_retiredGate)
        {
            _retired.Clear();
        }

        foreach (var segment in _downloadable.Values)
        {
            TryDelete(segment.FilePath);
        }

        _downloadable.Clear();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A reader on another platform may hold it open; the stream-end cleanup retries the directory.
        }
    }
}
