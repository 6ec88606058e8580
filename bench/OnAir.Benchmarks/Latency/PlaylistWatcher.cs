using System.Diagnostics;
using System.Globalization;

namespace OnAir.Benchmarks.Latency;

/// <summary>A media segment as first seen listed in the playlist.</summary>
internal sealed record ListedSegment(long Sequence, string Uri, double DurationSeconds, long SeenTimestamp);

/// <summary>
/// Polls a media playlist file every millisecond (servers replace it by rename, so every read sees
/// a whole playlist) and reports each segment the first time it is listed, with the
/// <see cref="Stopwatch"/> timestamp of the read that saw it. The playlist's path may not exist
/// yet: it is searched for under a root directory by file name until found.
/// </summary>
internal sealed class PlaylistWatcher : IDisposable
{
    private readonly string _root;
    private readonly string _fileName;
    private readonly Action<ListedSegment> _onSegment;
    private readonly Thread _thread;
    private readonly HashSet<long> _seen = [];
    private volatile bool _stop;

    public PlaylistWatcher(string root, string fileName, Action<ListedSegment> onSegment)
    {
        _root = root;
        _fileName = fileName;
        _onSegment = onSegment;
        _thread = new Thread(Run) { IsBackground = true, Name = "playlist-watch", Priority = ThreadPriority.AboveNormal };
    }

    public string? PlaylistPath { get; private set; }

    public long Polls { get; private set; }

    public Exception? Error { get; private set; }

    public void Start() => _thread.Start();

    public void Dispose()
    {
        _stop = true;
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    private void Run()
    {
        try
        {
            byte[]? last = null;
            while (!_stop)
            {
                Thread.Sleep(1);
                Polls++;
                PlaylistPath ??= Find();
                if (PlaylistPath is null)
                {
                    continue;
                }

                byte[] content;
                try
                {
                    content = File.ReadAllBytes(PlaylistPath);
                }
                catch (FileNotFoundException)
                {
                    continue;
                }

                var seenAt = Stopwatch.GetTimestamp();
                if (last is not null && content.AsSpan().SequenceEqual(last))
                {
                    continue;
                }

                last = content;
                foreach (var segment in Parse(System.Text.Encoding.UTF8.GetString(content), seenAt))
                {
                    if (_seen.Add(segment.Sequence))
                    {
                        _onSegment(segment);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            Error = ex;
        }
    }

    private string? Find()
    {
        if (!Directory.Exists(_root))
        {
            return null;
        }

        try
        {
            return Directory.EnumerateFiles(_root, _fileName, SearchOption.AllDirectories).FirstOrDefault();
        }
        catch (IOException)
        {
            return null; // a directory vanished while searching: try again next poll
        }
    }

    /// <summary>The segments of a media playlist, numbered from EXT-X-MEDIA-SEQUENCE.</summary>
    public static List<ListedSegment> Parse(string playlist, long seenAt)
    {
        var segments = new List<ListedSegment>();
        long sequence = 0;
        double? duration = null;
        foreach (var raw in playlist.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                sequence = long.Parse(line["#EXT-X-MEDIA-SEQUENCE:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                var value = line["#EXTINF:".Length..].Split(',')[0];
                duration = double.Parse(value, CultureInfo.InvariantCulture);
            }
            else if (line.Length > 0 && !line.StartsWith('#') && duration is { } d)
            {
                segments.Add(new ListedSegment(sequence, line, d, seenAt));
                sequence++;
                duration = null;
            }
        }

        return segments;
    }
}
