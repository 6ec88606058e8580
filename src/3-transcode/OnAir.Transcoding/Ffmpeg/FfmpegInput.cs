using OnAir.Media;
using OnAir.Media.Avc;
using OnAir.Media.Flv;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// What one ffmpeg run reads on its stdin, and in which container: FLV for H.264 (the RTMP payloads
/// as they came, read on a pipe without probing trouble), MPEG-TS for anything else (H.265), which
/// ffmpeg 5.1's FLV demuxer does not know: Enhanced FLV came with ffmpeg 6.1.
/// </summary>
/// <param name="Video">The source's video configuration at the keyframe the run starts from.</param>
internal sealed record FfmpegInput(VideoConfig Video, bool HasAudio)
{
    public const string Flv = "flv";
    public const string MpegTs = "mpegts";

    /// <summary>The demuxer ffmpeg is told to use (<c>-f</c>).</summary>
    public string Format => Video is AvcConfig ? Flv : MpegTs;

    /// <summary>A writer of frames onto <paramref name="stdin"/> in <see cref="Format"/>; it writes the container's header at once.</summary>
    public Action<MediaFrame> CreateWriter(Stream stdin)
    {
        if (Format == Flv)
        {
            var flv = new FlvWriter(stdin, hasVideo: true, HasAudio);
            return flv.Write;
        }

        var ts = new TsPipeWriter(stdin, Video, HasAudio);
        return ts.Write;
    }
}
