using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Hevc;

namespace OnAir.Testing;

/// <summary>The packets ffprobe read from a file (H.264 or H.265, AAC) as the frames ingest would hand over.</summary>
public static class ProbedFrames
{
    /// <summary>
    /// Every packet as a frame, in decode order across the tracks, timestamps moved by
    /// <paramref name="offset"/> (an MP4 with B-frames decodes from below 0). The caller releases them.
    /// </summary>
    public static List<MediaFrame> From(ProbeResult probe, long offset)
    {
        var frames = new List<MediaFrame>();
        if (probe.Video is { } video)
        {
            VideoConfig config = video.CodecName == "hevc" ? HevcConfig.Parse(video.Extradata) : AvcConfig.Parse(video.Extradata);
            frames.AddRange(probe.PacketsOf("video").Select(p => MediaFrame.Create(TrackKind.Video, p.Dts!.Value + offset, p.Pts!.Value + offset, p.IsKey, config, p.Data)));
        }

        if (probe.Audio is { } audio)
        {
            var config = AacConfig.Parse(audio.Extradata);
            frames.AddRange(probe.PacketsOf("audio").Select(p => MediaFrame.Create(TrackKind.Audio, p.Dts!.Value + offset, p.Pts!.Value + offset, true, config, p.Data)));
        }

        return [.. frames.OrderBy(f => f.Dts)];
    }
}
