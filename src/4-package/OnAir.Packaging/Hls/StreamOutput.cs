using System.Text;

namespace OnAir.Packaging.Hls;

/// <summary>The HLS output of one stream instance: its renditions and master playlist, as the origin reads them.</summary>
public sealed class StreamOutput
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _orderGate = new();
    private RenditionOutput[] _renditions = []; // copy-on-write: the origin reads it on request threads
    private byte[]? _master;

    public StreamOutput(string name, string streamId, string directory)
    {
        Name = name;
        StreamId = streamId;
        Directory = directory;
    }

    public string Name { get; }

    public string StreamId { get; }

    public string Directory { get; }

    /// <summary>Null while live; when the stream ended (its playlists carry ENDLIST).</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    public byte[]? MasterPlaylist => Volatile.Read(ref _master);

    /// <summary>Completes when the master playlist first becomes available (or the stream ends without one).</summary>
    public Task Ready => _ready.Task;

    /// <summary>Every rendition, in the order they were added (source first).</summary>
    public IReadOnlyList<RenditionOutput> Renditions => Volatile.Read(ref _renditions);

    /// <summary>A scan of a handful of renditions, cheaper than hashing the name.</summary>
    public bool TryGetRendition(string name, out RenditionOutput? rendition)
    {
        rendition = Array.Find(Volatile.Read(ref _renditions), r => string.Equals(r.Name, name, StringComparison.Ordinal));
        return rendition is not null;
    }

    internal RenditionOutput AddRendition(string name)
    {
        var rendition = new RenditionOutput(name, Path.Combine(Directory, name));
        lock (_orderGate)
        {
            Volatile.Write(ref _renditions, [.. _renditions.Where(r => r.Name != name), rendition]);
        }

        return rendition;
    }

    /// <summary>Rebuilds the master playlist from every rendition that has been measured (by its one owner, <see cref="MasterPlaylistPublisher"/>).</summary>
    internal void UpdateMaster(IEnumerable<string> renditionOrder)
    {
        var variants = new List<RenditionVariant>();
        foreach (var name in renditionOrder)
        {
            if (TryGetRendition(name, out var rendition) && rendition!.Variant is { } variant)
            {
                variants.Add(variant);
            }
        }

        if (variants.Count == 0)
        {
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(MasterPlaylistWriter.Write(variants));
        Volatile.Write(ref _master, bytes);
        _ready.TrySetResult();
        PlaylistFile.Write(Path.Combine(Directory, "master.m3u8"), bytes);
    }

    internal void MarkEnded(DateTimeOffset when)
    {
        EndedAt = when;
        _ready.TrySetResult();
    }

    internal void DeleteAll()
    {
        foreach (var rendition in Volatile.Read(ref _renditions))
        {
            rendition.DeleteAll();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
