using System.Globalization;

namespace OnAir.EndToEnd.Tests.Support;

/// <param name="Discontinuity">Preceded by EXT-X-DISCONTINUITY.</param>
/// <param name="Gap">Marked EXT-X-GAP: listed to keep sequence numbers aligned, not to be downloaded.</param>
/// <param name="Map">The EXT-X-MAP URI in force (fMP4), null for MPEG-TS.</param>
/// <param name="Parts">Its LL-HLS parts as listed (empty when not listed).</param>
/// <param name="ByteRange">EXT-X-BYTERANGE: the segment is these bytes of its URI.</param>
public sealed record PlaylistSegment(string Uri, double Duration, DateTimeOffset? ProgramDateTime, bool Discontinuity = false, bool Gap = false, string? Map = null, IReadOnlyList<PlaylistPart>? Parts = null, ByteRange? ByteRange = null, ByteRange? MapByteRange = null);

/// <summary>A byte range as EXT-X-BYTERANGE and EXT-X-MAP's BYTERANGE write it: LENGTH@OFFSET.</summary>
public sealed record ByteRange(long Length, long Offset)
{
    public static ByteRange Parse(string value)
    {
        var at = value.Split('@');
        return new ByteRange(long.Parse(at[0], CultureInfo.InvariantCulture), long.Parse(at[1], CultureInfo.InvariantCulture));
    }
}

/// <summary>An EXT-X-PART line.</summary>
public sealed record PlaylistPart(string Uri, double Duration, bool Independent);

/// <summary>An EXT-X-RENDITION-REPORT line.</summary>
public sealed record RenditionReportLine(string Uri, long LastMsn, int LastPart);

/// <summary>The LL-HLS side of a media playlist (rfc8216bis): server control, part target, the open segment's parts, hint, reports, skip.</summary>
public sealed record LowLatencyPlaylist(
    IReadOnlyDictionary<string, string> ServerControl,
    double? PartTarget,
    IReadOnlyList<PlaylistPart> OpenParts,
    string? PreloadHint,
    IReadOnlyList<RenditionReportLine> Reports,
    int SkippedSegments);

/// <summary>A parsed media playlist (RFC 8216 section 4.3), as a player reads it.</summary>
public sealed record MediaPlaylist(int TargetDuration, long MediaSequence, IReadOnlyList<PlaylistSegment> Segments, bool Ended, int Version)
{
    /// <summary>The LL-HLS tags; empty lists and a null part target for a regular playlist.</summary>
    public LowLatencyPlaylist LowLatency { get; init; } = new(new Dictionary<string, string>(), null, [], null, [], 0);

    /// <summary>EXT-X-PLAYLIST-TYPE (VOD or EVENT), null when absent (live).</summary>
    public string? PlaylistType { get; init; }

    /// <summary>The byte range of the first EXT-X-MAP, when it has one (each segment has its own in force).</summary>
    public ByteRange? MapByteRange { get; init; }

    /// <summary>All parts listed, in order, as (segment sequence, part index, part): closed segments' then the open one's.</summary>
    public IEnumerable<(long Sequence, int Index, PlaylistPart Part)> AllParts()
    {
        var first = MediaSequence + LowLatency.SkippedSegments;
        for (var i = 0; i < Segments.Count; i++)
        {
            var parts = Segments[i].Parts ?? [];
            for (var p = 0; p < parts.Count; p++)
            {
                yield return (first + i, p, parts[p]);
            }
        }

        for (var p = 0; p < LowLatency.OpenParts.Count; p++)
        {
            yield return (first + Segments.Count, p, LowLatency.OpenParts[p]);
        }
    }

    /// <summary>The media sequence number of the last segment listed, or MEDIA-SEQUENCE - 1 when none is.</summary>
    public long LastSequence => MediaSequence + Segments.Count - 1;

    public static MediaPlaylist Parse(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || lines[0] != "#EXTM3U")
        {
            throw new FormatException("playlist does not start with #EXTM3U");
        }

        int? target = null;
        long sequence = 0;
        var version = 1;
        var ended = false;
        var segments = new List<PlaylistSegment>();
        double? duration = null;
        DateTimeOffset? programDateTime = null;
        var discontinuity = false;
        var gap = false;
        string? map = null;
        var parts = new List<PlaylistPart>();
        var reports = new List<RenditionReportLine>();
        IReadOnlyDictionary<string, string> serverControl = new Dictionary<string, string>();
        double? partTarget = null;
        string? hint = null;
        var skipped = 0;
        string? playlistType = null;
        ByteRange? mapRange = null, firstMapRange = null, range = null;
        foreach (var line in lines.Skip(1))
        {
            if (line.StartsWith("#EXT-X-PART:", StringComparison.Ordinal))
            {
                var a = Attributes(line["#EXT-X-PART:".Length..]);
                parts.Add(new PlaylistPart(a["URI"], double.Parse(a["DURATION"], CultureInfo.InvariantCulture), a.GetValueOrDefault("INDEPENDENT") == "YES"));
                continue;
            }

            if (line.StartsWith("#EXT-X-MAP:", StringComparison.Ordinal))
            {
                var a = Attributes(line["#EXT-X-MAP:".Length..]);
                map = a["URI"];
                mapRange = a.TryGetValue("BYTERANGE", out var mapBytes) ? ByteRange.Parse(mapBytes) : null;
                firstMapRange ??= mapRange;
                continue;
            }

            if (line.StartsWith("#EXT-X-BYTERANGE:", StringComparison.Ordinal))
            {
                range = ByteRange.Parse(line["#EXT-X-BYTERANGE:".Length..]);
                continue;
            }

            if (line.StartsWith("#EXT-X-PLAYLIST-TYPE:", StringComparison.Ordinal))
            {
                playlistType = line["#EXT-X-PLAYLIST-TYPE:".Length..];
                continue;
            }

            if (line.StartsWith("#EXT-X-SERVER-CONTROL:", StringComparison.Ordinal))
            {
                serverControl = Attributes(line["#EXT-X-SERVER-CONTROL:".Length..]);
                continue;
            }

            if (line.StartsWith("#EXT-X-PART-INF:", StringComparison.Ordinal))
            {
                partTarget = double.Parse(Attributes(line["#EXT-X-PART-INF:".Length..])["PART-TARGET"], CultureInfo.InvariantCulture);
                continue;
            }

            if (line.StartsWith("#EXT-X-PRELOAD-HINT:", StringComparison.Ordinal))
            {
                hint = Attributes(line["#EXT-X-PRELOAD-HINT:".Length..])["URI"];
                continue;
            }

            if (line.StartsWith("#EXT-X-SKIP:", StringComparison.Ordinal))
            {
                skipped = int.Parse(Attributes(line["#EXT-X-SKIP:".Length..])["SKIPPED-SEGMENTS"], CultureInfo.InvariantCulture);
                continue;
            }

            if (line.StartsWith("#EXT-X-RENDITION-REPORT:", StringComparison.Ordinal))
            {
                var a = Attributes(line["#EXT-X-RENDITION-REPORT:".Length..]);
                reports.Add(new RenditionReportLine(a["URI"], long.Parse(a["LAST-MSN"], CultureInfo.InvariantCulture), int.Parse(a["LAST-PART"], CultureInfo.InvariantCulture)));
                continue;
            }

            if (line.StartsWith("#EXT-X-TARGETDURATION:", StringComparison.Ordinal))
            {
                target = int.Parse(line["#EXT-X-TARGETDURATION:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            {
                sequence = long.Parse(line["#EXT-X-MEDIA-SEQUENCE:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-VERSION:", StringComparison.Ordinal))
            {
                version = int.Parse(line["#EXT-X-VERSION:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXT-X-PROGRAM-DATE-TIME:", StringComparison.Ordinal))
            {
                programDateTime = DateTimeOffset.Parse(line["#EXT-X-PROGRAM-DATE-TIME:".Length..], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("#EXTINF:", StringComparison.Ordinal))
            {
                duration = double.Parse(line["#EXTINF:".Length..].TrimEnd(',').Split(',')[0], CultureInfo.InvariantCulture);
            }
            else if (line == "#EXT-X-DISCONTINUITY")
            {
                discontinuity = true;
            }
            else if (line == "#EXT-X-GAP")
            {
                gap = true;
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                ended = true;
            }
            else if (!line.StartsWith('#'))
            {
                segments.Add(new PlaylistSegment(line, duration ?? throw new FormatException($"{line} has no EXTINF"), programDateTime, discontinuity, gap, map, [.. parts], range, mapRange));
                parts.Clear();
                range = null;
                duration = null;
                programDateTime = null;
                discontinuity = false;
                gap = false;
            }
        }

        return new MediaPlaylist(target ?? throw new FormatException("no EXT-X-TARGETDURATION"), sequence, segments, ended, version)
        {
            LowLatency = new LowLatencyPlaylist(serverControl, partTarget, [.. parts], hint, reports, skipped),
            PlaylistType = playlistType,
            MapByteRange = firstMapRange,
        };
    }

    /// <summary>An attribute list (RFC 8216 section 4.2): NAME=value pairs, values possibly quoted.</summary>
    public static Dictionary<string, string> Attributes(string list)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var i = 0;
        while (i < list.Length)
        {
            var eq = list.IndexOf('=', i);
            var name = list[i..eq];
            string value;
            if (list[eq + 1] == '"')
            {
                var close = list.IndexOf('"', eq + 2);
                value = list[(eq + 2)..close];
                i = close + 2;
            }
            else
            {
                var comma = list.IndexOf(',', eq + 1);
                value = comma < 0 ? list[(eq + 1)..] : list[(eq + 1)..comma];
                i = comma < 0 ? list.Length : comma + 1;
            }

            result[name] = value;
        }

        return result;
    }
}
