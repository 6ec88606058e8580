using System.Collections.Concurrent;

namespace OnAir.Packaging.Hls;

/// <summary>
/// What the origin serves for one rendition: the current media playlist (an immutable snapshot,
/// swapped atomically, with a signal that wakes blocked requests), its init segments, its LL-HLS
/// parts (byte ranges of their segment's file) and the segments that may
/// be downloaded (listed ones plus those within their retention grace). Everything is looked up by
/// file name only, so no request path can reach a file the packager did not write.
/// </summary>
public sealed class RenditionOutput
{
    private readonly ConcurrentDictionary<string, SegmentInfo> _downloadable = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PartInfo> _parts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]> _initSegments = new(StringComparer.Ordinal);
    private readonly Queue<(SegmentInfo Segment, DateTimeOffset RetiredAt)> _retired = new();
    private readonly Lock _retiredGate = new();
    private MediaPlaylistSnapshot? _snapshot;
    private RenditionVariant? _variant;
    private TaskCompletionSource _changed = NewSignal();

    public RenditionOutput(string name, string directory)
    {
        Name = name;
        Directory = directory;
    }

    public string Name { get; }

    /// <summary>Where this rendition's segment files live.</summary>
    public string Directory { get; }

    /// <summary>The media playlist bytes, or null before the first one was published.</summary>
    public byte[]? Playlist => Snapshot?.Playlist;

    /// <summary>The latest published playlist and its live edge, or null before the first.</summary>
    public MediaPlaylistSnapshot? Snapshot => Volatile.Read(ref _snapshot);

    /// <summary>Completes at the next publish: what a blocking playlist request awaits.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>The master playlist's facts about this rendition, once measured.</summary>
    public RenditionVariant? Variant => Volatile.Read(ref _variant);

    /// <summary>The MIME type of this rendition's segments and parts.</summary>
    public string SegmentContentType { get; internal set; } = "video/mp2t";

    public bool IsEnded => Snapshot?.IsEnded ?? false;

    public int DownloadableCount => _downloadable.Count;

    public bool TryGetSegment(string fileName, out SegmentInfo? segment) => _downloadable.TryGetValue(fileName, out segment);

    public bool TryGetPart(string fileName, out PartInfo? part) => _parts.TryGetValue(fileName, out part);

    public bool TryGetInitSegment(string fileName, out byte[]? bytes) => _initSegments.TryGetValue(fileName, out bytes);

    internal void AddInitSegment(string fileName, byte[] bytes)
    {
        File.WriteAllBytes(Path.Combine(Directory, fileName), bytes);
        _initSegments[fileName] = bytes;
    }

    internal void AddPart(PartInfo part) => _parts[part.FileName] = part;

    internal void AddSegment(SegmentInfo segment) => _downloadable[segment.FileName] = segment;

    /// <param name="writeFile">Also write it into the rendition's directory (when a segment closed or the stream ended, not for every part).</param>
    internal void Publish(MediaPlaylistSnapshot snapshot, RenditionVariant? variant, bool writeFile)
    {
        if (variant is not null)
        {
            Volatile.Write(ref _variant, variant);
        }

        if (writeFile)
        {
            PlaylistFile.Write(Path.Combine(Directory, "playlist.m3u8"), snapshot.Playlist);
        }

        Volatile.Write(ref _snapshot, snapshot);
        Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();
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

    /// <summary>Deletes segments (and their parts) retired longer than <paramref name="retention"/> ago. Returns how many segments were deleted.</summary>
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
            foreach (var part in segment.Parts ?? [])
            {
                _parts.TryRemove(part.FileName, out _);
            }

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
        _parts.Clear();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

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
