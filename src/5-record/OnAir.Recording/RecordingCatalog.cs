using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using OnAir.Streams;

namespace OnAir.Recording;

/// <summary>
/// Every recording in the data directory (recordings/ID/) and where its files are. The list is
/// read by API requests and changed by the recording service, the clip maker and retention: a
/// short lock guards it and is never held across I/O; a recording's metadata file is written only
/// by whoever owns that recording at the time.
/// </summary>
public sealed class RecordingCatalog
{
    public const string MetadataFileName = "recording.json";
    public const string MediaFileName = "media.mp4";
    public const string PlaylistFileName = "playlist.m3u8";
    public const string MasterFileName = "master.m3u8";
    public const string ProgressiveHeadFileName = "progressive.head";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly Lock _gate = new();
    private readonly Dictionary<string, RecordingInfo> _recordings = new(StringComparer.Ordinal);
    private readonly HashSet<string> _unlisted = new(StringComparer.Ordinal); // directories without a readable recording.json: never reused as ids

    public RecordingCatalog(DataDirectory dataDirectory) => Root = Path.Combine(dataDirectory.Path, "recordings");

    public string Root { get; }

    /// <summary>Every recording, oldest first.</summary>
    public IReadOnlyList<RecordingInfo> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _recordings.Values.OrderBy(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal)];
            }
        }
    }

    public bool TryGet(string id, out RecordingInfo? info)
    {
        lock (_gate)
        {
            return _recordings.TryGetValue(id, out info);
        }
    }

    public string DirectoryOf(string id) => Path.Combine(Root, id);

    public string RenditionDirectory(string id, string rendition) => Path.Combine(Root, id, rendition);

    public string MediaPath(string id, string rendition) => Path.Combine(Root, id, rendition, MediaFileName);

    /// <summary>A new recording's id, e.g. <c>cam_20261205-031000</c> (UTC), unique in the catalog; registers <paramref name="create"/>'s result under it.</summary>
    internal RecordingInfo Create(string stream, DateTimeOffset startedAt, Func<string, RecordingInfo> create) =>
        CreateUnique($"{stream}_{startedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}", create);

    /// <summary>Registers <paramref name="create"/>'s result under <paramref name="stem"/>, or the stem with -2, -3... when taken.</summary>
    internal RecordingInfo CreateUnique(string stem, Func<string, RecordingInfo> create)
    {
        lock (_gate)
        {
            var id = stem;
            for (var n = 2; _recordings.ContainsKey(id) || _unlisted.Contains(id); n++)
            {
                id = $"{stem}-{n}";
            }

            var info = create(id);
            _recordings[id] = info;
            return info;
        }
    }

    /// <summary>
    /// Replaces the recording's entry and writes its metadata file. False (and nothing written) when
    /// it is no longer listed: deleted meanwhile, its files must not come back.
    /// </summary>
    internal bool Save(RecordingInfo info)
    {
        lock (_gate)
        {
            if (!_recordings.ContainsKey(info.Id))
            {
                return false;
            }

            _recordings[info.Id] = info;
        }

        Directory.CreateDirectory(DirectoryOf(info.Id));
        AtomicFile.Write(Path.Combine(DirectoryOf(info.Id), MetadataFileName), JsonSerializer.SerializeToUtf8Bytes(info, Json));
        return true;
    }

    /// <summary>Takes the recording out of the catalog when <paramref name="removable"/> says so; the caller deletes its files.</summary>
    internal bool TryRemove(string id, Func<RecordingInfo, bool> removable, out RecordingInfo? removed)
    {
        lock (_gate)
        {
            if (_recordings.TryGetValue(id, out removed) && removable(removed))
            {
                _recordings.Remove(id);
                return true;
            }
        }

        return false;
    }

    /// <summary>Deletes the recording's directory; false (and the reason logged) when the disk refuses.</summary>
    /// <summary>
    /// Takes out of the catalog, oldest first, the recordings <paramref name="removable"/> allows while
    /// <paramref name="stillNeeded"/> is above zero, all under the catalog's one lock (so two callers
    /// short of room never take for the same bytes); nothing when even all of them would not do.
    /// <paramref name="taken"/> runs for each one inside the lock (no I/O there); the caller deletes the files.
    /// </summary>
    internal List<RecordingInfo> TakeOldest(Func<RecordingInfo, bool> removable, Func<long> stillNeeded, Action<RecordingInfo> taken)
    {
        var victims = new List<RecordingInfo>();
        lock (_gate)
        {
            var candidates = _recordings.Values.Where(removable).OrderBy(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
            if (stillNeeded() <= 0 || candidates.Sum(r => r.SizeBytes) < stillNeeded())
            {
                return victims;
            }

            foreach (var candidate in candidates)
            {
                if (stillNeeded() <= 0)
                {
                    break;
                }

                _recordings.Remove(candidate.Id);
                taken(candidate);
                victims.Add(candidate);
            }
        }

        return victims;
    }

    internal bool DeleteFiles(string id, ILogger logger)
    {
        try
        {
            Directory.Delete(DirectoryOf(id), recursive: true);
            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RecordingLog.DeleteFailed(logger, id, DirectoryOf(id), ex.Message);
            return false;
        }
    }

    /// <summary>Reads every recording.json under the root; a directory without a readable one is logged and left alone.</summary>
    internal IReadOnlyList<RecordingInfo> Load(ILogger logger)
    {
        Directory.CreateDirectory(Root);
        var loaded = new List<RecordingInfo>();
        foreach (var directory in Directory.EnumerateDirectories(Root))
        {
            var path = Path.Combine(directory, MetadataFileName);
            try
            {
                var info = JsonSerializer.Deserialize<RecordingInfo>(File.ReadAllBytes(path), Json);
                if (info is null || info.Id != Path.GetFileName(directory))
                {
                    throw new JsonException($"its id does not match the directory name {Path.GetFileName(directory)}");
                }

                lock (_gate)
                {
                    _recordings[info.Id] = info;
                }

                loaded.Add(info);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
            {
                lock (_gate)
                {
                    _unlisted.Add(Path.GetFileName(directory));
                }

                RecordingLog.Unreadable(logger, directory, ex.Message);
            }
        }

        return loaded;
    }
}
