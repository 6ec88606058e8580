using System.Globalization;
using System.Text;

namespace OnAir.Recording;

/// <summary>One segment of a VOD media playlist: a fragment of media.mp4 as a byte range.</summary>
internal readonly record struct VodSegment(long Offset, long Length, double DurationSeconds, bool Discontinuity);

/// <summary>
/// Writes a recorded rendition's VOD media playlist (RFC 8216 section 4.3.3.5 PLAYLIST-TYPE:VOD,
/// ENDLIST): EXT-X-MAP on the init segment and each segment an EXT-X-BYTERANGE into the one
/// fragmented file, so the recording is served as it was written, with no segment files.
/// </summary>
internal static class VodPlaylistWriter
{
    public static string Write(string mediaUri, long initBytes, IReadOnlyList<VodSegment> segments)
    {
        var target = segments.Count == 0 ? 1 : (int)Math.Max(1, Math.Ceiling(segments.Max(s => s.DurationSeconds) - 0.001));
        var sb = new StringBuilder(256 + (segments.Count * 64));
        sb.Append("#EXTM3U\n#EXT-X-VERSION:7\n");
        sb.Append("#EXT-X-TARGETDURATION:").Append(target.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        sb.Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{mediaUri}\",BYTERANGE=\"{initBytes}@0\"\n");
        foreach (var segment in segments)
        {
            if (segment.Discontinuity)
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }

            sb.Append(CultureInfo.InvariantCulture, $"#EXTINF:{segment.DurationSeconds:0.000},\n#EXT-X-BYTERANGE:{segment.Length}@{segment.Offset}\n{mediaUri}\n");
        }

        sb.Append("#EXT-X-ENDLIST\n");
        return sb.ToString();
    }
}
