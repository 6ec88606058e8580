using System.Globalization;

namespace OnAir.EndToEnd.Tests.Support;

/// <param name="Discontinuity">Preceded by EXT-X-DISCONTINUITY.</param>
/// <param name="Gap">Marked EXT-X-GAP: listed to keep sequence numbers aligned, not to be downloaded.</param>
public sealed record PlaylistSegment(string Uri, double Duration, DateTimeOffset? ProgramDateTime, bool Discontinuity = false, bool Gap = false);

/// <summary>A parsed media playlist (RFC 8216 section 4.3), as a player reads it.</summary>
public sealed record MediaPlaylist(int TargetDuration, long MediaSequence, IReadOnlyList<PlaylistSegment> Segments, bool Ended, int Version)
{
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
        foreach (var line in lines.Skip(1))
        {
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
                segments.Add(new PlaylistSegment(line, duration ?? throw new FormatException($"{line} has no EXTINF"), programDateTime, discontinuity, gap));
                duration = null;
                programDateTime = null;
                discontinuity = false;
                gap = false;
            }
        }

        return new MediaPlaylist(target ?? throw new FormatException("no EXT-X-TARGETDURATION"), sequence, segments, ended, version);
    }
}
