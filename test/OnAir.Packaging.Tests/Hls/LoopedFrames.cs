using OnAir.Media;
using OnAir.Media.Avc;
using OnAir.Testing;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// Longer streams made from the short test vectors: the vector's frames repeated with their
/// timestamps shifted by one period per copy, as a publisher looping the clip would send them.
/// </summary>
internal static class LoopedFrames
{
    /// <summary>
    /// The length of one copy: the last frame of the track that drives segmenting (video, or audio
    /// when there is none) plus that frame's interval. Frames of the other track at or past the
    /// period are left out, so timestamps keep increasing across copies.
    /// </summary>
    public static long Period(VectorFrames vector)
    {
        var kind = vector.HasVideo ? TrackKind.Video : TrackKind.Audio;
        var track = vector.Frames.Where(f => f.Kind == kind).ToList();
        return track[^1].Dts + (track[^1].Dts - track[^2].Dts);
    }

    /// <summary>New frames (each owned by the caller, reference count 1): <paramref name="copies"/> copies of the vector.</summary>
    public static IEnumerable<MediaFrame> Loop(VectorFrames vector, int copies)
    {
        var period = Period(vector);
        for (var copy = 0; copy < copies; copy++)
        {
            var shift = copy * period;
            foreach (var frame in vector.Frames.Where(f => f.Dts < period))
            {
                yield return MediaFrame.Create(frame.Kind, frame.Dts + shift, frame.Pts + shift, frame.IsKeyFrame, frame.Config, frame.Span);
            }
        }
    }

    /// <summary>A video frame whose first AVCC NAL length runs past the end of its payload.</summary>
    public static MediaFrame Malformed(MediaFrame like)
    {
        var config = (AvcConfig)like.Config;
        var payload = new byte[config.NalLengthSize + 3];
        payload[config.NalLengthSize - 1] = 0x40; // claims 64 bytes, 3 follow
        payload[config.NalLengthSize] = 0x41;
        return MediaFrame.Create(TrackKind.Video, like.Dts, like.Pts, like.IsKeyFrame, config, payload);
    }
}
