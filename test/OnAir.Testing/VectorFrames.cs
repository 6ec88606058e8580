using System.Buffers;
using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Testing;

/// <summary>The frames of an FLV test vector, in tag order, as ingest would hand them over.</summary>
public sealed class VectorFrames : IDisposable
{
    private VectorFrames(List<MediaFrame> frames) => Frames = frames;

    public IReadOnlyList<MediaFrame> Frames { get; }

    public bool HasVideo => Frames.Any(f => f.Kind == TrackKind.Video);

    public bool HasAudio => Frames.Any(f => f.Kind == TrackKind.Audio);

    public static VectorFrames Read(string vectorName) => new(FlvVector.ReadFrames(vectorName, out _));

    /// <summary>Tables, the frames before <paramref name="secondSegmentAt"/>, tables again, the rest: two segments back to back.</summary>
    public byte[] Mux(TsMuxer muxer, int secondSegmentAt = -1)
    {
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        for (var i = 0; i < Frames.Count; i++)
        {
            if (i == secondSegmentAt)
            {
                muxer.WriteTables(output);
            }

            muxer.WriteFrame(Frames[i], output);
        }

        return output.WrittenSpan.ToArray();
    }

    public byte[] Mux(int secondSegmentAt = -1) => Mux(new TsMuxer(HasVideo, HasAudio), secondSegmentAt);

    public void Dispose()
    {
        foreach (var frame in Frames)
        {
            frame.Release();
        }
    }
}
