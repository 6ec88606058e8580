using System.Globalization;
using System.Text;

namespace OnAir.Recording;

/// <summary>One segment of a VOD media playlist: a fragment of media.mp4 as a byte range, and the byte range of the init segment it decodes with.</summary>
internal readonly record struct VodSegment(long Offset, long Length, double DurationSeconds, bool Discontinuity, long InitOffset, long InitLength);

/// <summary>
/// Writes a recorded rendition's VOD media playlist (RFC 8216 section 4.3.3.5 PLAYLIST-TYPE:VOD,
/// ENDLIST): EXT-X-MAP on the init segment and each segment an EXT-X-BYTERANGE into the one
/// fragmented file, so the recording is served as it was written, with no segment files. Where
/// the codec parameters changed, a new EXT-X-MAP on the init segment written there, after an
/// EXT-X-DISCONTINUITY (RFC 8216 section 4.3.2.3: the decoder is set up afresh).
/// </summary>
internal static class VodPlaylistWriter
{
    public static string Write(string mediaUri, IReadOnlyList<VodSegment> segments)
    {
        var target = segments.Count == 0 ? 1 : (int)Math.Max(1, Math.Ceiling(segments.Max(s => s.DurationSeconds) - 0.001));
        var sb = new StringBuilder(256 + (segments.Count * 64));
        sb.Append("#EXTM3U\n#EXT-X-VERSION:7\n");
        sb.Append("#EXT-X-TARGETDURATION:").Append(target.ToString(CultureInfo.InvariantCulture)).Append('\n');
        sb.Append("#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-INDEPENDENT-SEGMENTS\n");
        var map = -1L;
        foreach (var segment in segments)
        {
            var newMap = segment.InitOffset != map;
            if (segment.Discontinuity || (newMap && map >= 0))
            {
                sb.Append("#EXT-X-DISCONTINUITY\n");
            }

            if (newMap)
            {
                sb.Append(CultureInfo.InvariantCulture, $"#EXT-X-MAP:URI=\"{mediaUri}\",BYTERANGE=\"{segment.InitLength}@{segment.InitOffset}\"\n");
                map = segment.InitOffset;
            }

            sb.Append(CultureInfo.InvariantCulture, $"#EXTINF:{segment.DurationSeconds:0.000},\n#EXT-X-BYTERANGE:{segment.Length}@{segment.Offset}\n{mediaUri}\n");
        }

        sb.Append("#EXT-X-ENDLIST\n");
        return sb.ToString();
    }
}
