using System.Globalization;
using System.Text;

namespace OnAir.Packaging.Hls;

/// <summary>Writes a live media playlist (RFC 8216 section 4.3) from a window of segments.</summary>
public static class MediaPlaylistWriter
{
    /// <param name="discontinuitySequence">Discontinuities that have left the window (EXT-X-DISCONTINUITY-SEQUENCE).</param>
    public static string Write(int targetDuration, IReadOnlyList<SegmentInfo> window, bool ended, long discontinuitySequence = 0)
    {
        var sb = new StringBuilder(256 + window.Count * 96);
        sb.Append("#EXTM3U\n");
        sb.Append("#EXT-X-VERSION:3\n");
        sb.Append("#EXT-X-TARGETDURATION:").Append(targetDuration.ToString(CultureInfo.InvariantCulture)).Append('\n');
        var firstSequence = window.Count > 0 ? window[0].Sequence : 0;
        sb.Append("#EXT-X-MEDIA-SEQUENCE:").Append(firstSequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        if (discontinuitySequence > 0)
        {
            sb.Append("#EXT-X-DISCONTINUITY-SEQUENCE:").Append(discontinuitySequence.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        foreach (var segment in window)
        {
            if (segment.Discontinuity)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }

            sb.Append("#EXT-X-PROGRAM-DATE-TIME:")
                .Append(segment.ProgramDateTime.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture))
                .Append('\n');
            if (segment.Gap)
            {
                sb.Append("#EXT-X-GAP\n");
            }

            sb.Append("#EXTINF:").Append(segment.DurationSeconds.ToString("0.000", CultureInfo.InvariantCulture)).Append(",\n");
            sb.Append(segment.FileName).Append('\n');
        }

        if (ended)
        {
            sb.Append("#EXT-X-ENDLIST\n");
        }

        return sb.ToString();
    }
}
