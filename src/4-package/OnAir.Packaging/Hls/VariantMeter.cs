using OnAir.Media;

namespace OnAir.Packaging.Hls;

/// <summary>What the segment still being written holds so far: bytes, seconds of media (first to last frame), video frames.</summary>
internal readonly record struct OpenSegmentMeasure(long Bytes, double Seconds, int VideoFrames);

/// <summary>Measures what the master playlist says of a rendition (BANDWIDTH, AVERAGE-BANDWIDTH, RESOLUTION, CODECS, FRAME-RATE) from the segments in its window.</summary>
internal static class VariantMeter
{
    /// <param name="open">The segment being written: before the first segment closes, it is all there is to measure.</param>
    public static RenditionVariant Measure(string name, IReadOnlyList<SegmentInfo> window, OpenSegmentMeasure open, CodecConfig? video, CodecConfig? audio)
    {
        double peak = 0, bits = 0, seconds = 0, videoFrames = 0;
        if (!window.Any(s => !s.Gap) && open.Seconds > 0)
        {
            bits = open.Bytes * 8.0;
            seconds = open.Seconds;
            peak = bits / seconds;
            videoFrames = open.VideoFrames;
        }

        foreach (var segment in window)
        {
            if (segment.Gap)
            {
                continue;
            }

            peak = Math.Max(peak, segment.BitsPerSecond);
            bits += segment.Bytes * 8.0;
            seconds += segment.DurationSeconds;
            videoFrames += segment.VideoFrames;
        }

        var picture = video as VideoConfig;
        var codecs = string.Join(',', new[] { video?.CodecString, audio?.CodecString }.Where(c => c is not null));
        var frameRate = video is not null && seconds > 0 ? Math.Round(videoFrames / seconds, 3) : 0;
        return new RenditionVariant(
            name,
            (long)Math.Ceiling(peak),
            seconds > 0 ? (long)Math.Ceiling(bits / seconds) : 0,
            picture?.Width ?? 0,
            picture?.Height ?? 0,
            codecs,
            frameRate);
    }
}
