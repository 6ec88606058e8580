using System.Globalization;
using System.Text;

namespace OnAir.Packaging.Hls;

/// <summary>Writes a live media playlist (RFC 8216 section 4.3), with the LL-HLS tags of rfc8216bis when given.</summary>
public static class MediaPlaylistWriter
{
    /// <param name="discontinuitySequence">Discontinuities that have left the window (EXT-X-DISCONTINUITY-SEQUENCE).</param>
    /// <param name="lowLatency">Parts, hint and reports of an LL-HLS playlist; null for a regular one.</param>
    /// <param name="skip">Leading segments replaced by EXT-X-SKIP (a delta update); 0 for the full playlist.</param>
    public static string Write(int targetDuration, IReadOnlyList<SegmentInfo> window, bool ended, long discontinuitySequence = 0, LowLatencyTags? lowLatency = null, int skip = 0)
    {
        var sb = new StringBuilder(256 + (window.Count * 96) + (lowLatency is null ? 0 : 1024));
        Write(sb, targetDuration, window, ended, discontinuitySequence, lowLatency, skip);
        return sb.ToString();
    }

    /// <summary>Appends the playlist to <paramref name="sb"/>: a packager reuses one builder for every playlist it publishes.</summary>
    public static void Write(StringBuilder sb, int targetDuration, IReadOnlyList<SegmentInfo> window, bool ended, long discontinuitySequence = 0, LowLatencyTags? lowLatency = null, int skip = 0)
    {
        sb.Append("#EXTM3U\n");
        sb.Append("#EXT-X-VERSION:").Append(lowLatency is not null ? 9 : window.Any(s => s.Map is not null) ? 6 : 3).Append('\n');
        sb.Append("#EXT-X-TARGETDURATION:").Invariant(targetDuration).Append('\n');
        if (lowLatency is not null)
        {
            sb.Append("#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=").Invariant(targetDuration * LowLatencyTags.SkipUntilTargetDurations, "0.0")
                .Append(",PART-HOLD-BACK=").Invariant(lowLatency.PartTargetSeconds * LowLatencyTags.PartHoldBackPartTargets, "0.000")
                .Append(",HOLD-BACK=").Invariant(targetDuration * LowLatencyTags.HoldBackTargetDurations, "0.0").Append('\n');
            sb.Append("#EXT-X-PART-INF:PART-TARGET=").Invariant(lowLatency.PartTargetSeconds, "0.000").Append('\n');
        }

        var firstSequence = window.Count > 0 ? window[0].Sequence : 0;
        sb.Append("#EXT-X-MEDIA-SEQUENCE:").Invariant(firstSequence).Append('\n');
        if (discontinuitySequence > 0)
        {
            sb.Append("#EXT-X-DISCONTINUITY-SEQUENCE:").Invariant(discontinuitySequence).Append('\n');
        }

        if (skip > 0)
        {
            sb.Append("#EXT-X-SKIP:SKIPPED-SEGMENTS=").Invariant(skip).Append('\n');
        }

        var partsFrom = lowLatency is null ? int.MaxValue : FirstSegmentWithParts(window, lowLatency, targetDuration);
        string? map = null;
        for (var i = skip; i < window.Count; i++)
        {
            var segment = window[i];
            if (segment.Discontinuity)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }

            if (segment.Map is not null && segment.Map != map)
            {
                map = segment.Map;
                sb.Append("#EXT-X-MAP:URI=\"").Append(map).Append("\"\n");
            }

            sb.Append("#EXT-X-PROGRAM-DATE-TIME:").Invariant(segment.ProgramDateTime.UtcDateTime, ProgramDateTimeFormat).Append('\n');
            if (i >= partsFrom && segment.Parts is { } parts)
            {
                AppendParts(sb, parts);
            }

            if (segment.Gap)
            {
                sb.Append("#EXT-X-GAP\n");
            }

            sb.Append("#EXTINF:").Invariant(segment.DurationSeconds, "0.000").Append(",\n");
            sb.Append(segment.FileName).Append('\n');
        }

        if (lowLatency is not null)
        {
            AppendLiveEdge(sb, lowLatency, map);
        }

        if (ended)
        {
            sb.Append("#EXT-X-ENDLIST\n");
        }
    }

    /// <summary>How many leading segments a delta update may skip: those ending more than CAN-SKIP-UNTIL before the end of the playlist.</summary>
    public static int SkippableSegments(int targetDuration, IReadOnlyList<SegmentInfo> window, LowLatencyTags lowLatency)
    {
        var remaining = TotalSeconds(window, lowLatency);
        var boundary = (double)targetDuration * LowLatencyTags.SkipUntilTargetDurations;
        var skip = 0;
        foreach (var segment in window)
        {
            remaining -= segment.DurationSeconds;
            if (remaining < boundary)
            {
                break;
            }

            skip++;
        }

        return skip;
    }

    /// <summary>The first segment of the window whose parts are still listed: it ends within three target durations of the live edge.</summary>
    private static int FirstSegmentWithParts(IReadOnlyList<SegmentInfo> window, LowLatencyTags lowLatency, int targetDuration)
    {
        var zone = (double)targetDuration * LowLatencyTags.PartListingTargetDurations;
        var fromEnd = lowLatency.OpenParts.Sum(p => p.DurationSeconds);
        var first = window.Count;
        for (var i = window.Count - 1; i >= 0 && fromEnd <= zone; i--)
        {
            first = i;
            fromEnd += window[i].DurationSeconds;
        }

        return first;
    }

    private static double TotalSeconds(IReadOnlyList<SegmentInfo> window, LowLatencyTags lowLatency) =>
        window.Sum(s => s.DurationSeconds) + lowLatency.OpenParts.Sum(p => p.DurationSeconds);

    /// <summary>The parts of the segment still open, the hint for the next part, and where the other renditions are.</summary>
    private static void AppendLiveEdge(StringBuilder sb, LowLatencyTags lowLatency, string? map)
    {
        if (lowLatency.Open is { } open && lowLatency.OpenParts.Count > 0)
        {
            if (open.Discontinuity)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }

            if (open.Map is not null && open.Map != map)
            {
                sb.Append("#EXT-X-MAP:URI=\"").Append(open.Map).Append("\"\n");
            }

            sb.Append("#EXT-X-PROGRAM-DATE-TIME:").Invariant(open.ProgramDateTime.UtcDateTime, ProgramDateTimeFormat).Append('\n');
        }

        AppendParts(sb, lowLatency.OpenParts);
        if (lowLatency.PreloadHint is { } hint)
        {
            sb.Append("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"").Append(hint).Append("\"\n");
        }

        foreach (var report in lowLatency.Reports)
        {
            sb.Append("#EXT-X-RENDITION-REPORT:URI=\"").Append(report.Uri)
                .Append("\",LAST-MSN=").Invariant(report.LastMsn)
                .Append(",LAST-PART=").Invariant(report.LastPart).Append('\n');
        }
    }

    private static void AppendParts(StringBuilder sb, IReadOnlyList<PartInfo> parts)
    {
        foreach (var part in parts)
        {
            sb.Append("#EXT-X-PART:DURATION=").Invariant(part.DurationSeconds, "0.00000").Append(",URI=\"").Append(part.FileName).Append('"');
            if (part.Independent)
            {
                sb.Append(",INDEPENDENT=YES");
            }

            sb.Append('\n');
        }
    }

    private const string ProgramDateTimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    /// <summary>Appends <paramref name="value"/> formatted in the invariant culture, without a string in between (a playlist is written several times a second per rendition).</summary>
    private static StringBuilder Invariant<T>(this StringBuilder sb, T value, string? format = null)
        where T : ISpanFormattable
    {
        Span<char> text = stackalloc char[64];
        return value.TryFormat(text, out var written, format, CultureInfo.InvariantCulture)
            ? sb.Append(text[..written])
            : sb.Append(value.ToString(format, CultureInfo.InvariantCulture));
    }
}
