using System.Globalization;
using System.Text;

namespace OnAir.Packaging.Hls;

/// <summary>Writes the master (multivariant) playlist, RFC 8216 section 4.3.4.2.</summary>
public static class MasterPlaylistWriter
{
    public static string Write(IReadOnlyList<RenditionVariant> variants)
    {
        var sb = new StringBuilder(128 + variants.Count * 160);
        sb.Append("#EXTM3U\n");
        sb.Append("#EXT-X-VERSION:3\n");
        foreach (var v in variants)
        {
            sb.Append("#EXT-X-STREAM-INF:BANDWIDTH=").Append(v.PeakBandwidth.ToString(CultureInfo.InvariantCulture));
            sb.Append(",AVERAGE-BANDWIDTH=").Append(v.AverageBandwidth.ToString(CultureInfo.InvariantCulture));
            if (v.Width > 0 && v.Height > 0)
            {
                sb.Append(",RESOLUTION=").Append(v.Width.ToString(CultureInfo.InvariantCulture)).Append('x').Append(v.Height.ToString(CultureInfo.InvariantCulture));
            }

            sb.Append(",CODECS=\"").Append(v.Codecs).Append('"');
            if (v.FrameRate > 0)
            {
                sb.Append(",FRAME-RATE=").Append(v.FrameRate.ToString("0.000", CultureInfo.InvariantCulture));
            }

            sb.Append('\n').Append(v.Name).Append("/playlist.m3u8\n");
        }

        return sb.ToString();
    }
}
