using System.Buffers;
using OnAir.Media.Flv;
using OnAir.Testing;

namespace OnAir.Media.Tests;

/// <summary>Every audio/video tag of a vector fed through one <see cref="FlvMediaReader"/>; owns the frames it produced.</summary>
internal sealed class VectorRead : IDisposable
{
    private VectorRead(FlvMediaReader reader) => Reader = reader;

    public FlvMediaReader Reader { get; }

    public List<MediaFrame> Video { get; } = [];

    public List<MediaFrame> Audio { get; } = [];

    public List<(byte TagType, FlvTagResult Result)> Results { get; } = [];

    public static IEnumerable<string> VideoVectors { get; } = ["h264-aac-320x240-2s.flv", "h264-854x480-main.flv", "h264-1920x1080-main.flv"];

    public static IEnumerable<string> AudioVectors { get; } = ["h264-aac-320x240-2s.flv", "aac-44100-mono.flv"];

    public static IEnumerable<string> AllVectors { get; } = ["h264-aac-320x240-2s.flv", "h264-854x480-main.flv", "h264-1920x1080-main.flv", "aac-44100-mono.flv"];

    public static ReadOnlySequence<byte> Body(byte[] body, bool oneBytePerSegment) =>
        oneBytePerSegment ? SegmentedSequence.OneBytePerSegment(body) : new ReadOnlySequence<byte>(body);

    public static VectorRead Of(string vector, bool oneBytePerSegment)
    {
        var read = new VectorRead(new FlvMediaReader());
        foreach (var tag in FlvFile.ReadTags(TestVectors.Path(vector)))
        {
            MediaFrame? frame;
            FlvTagResult result;
            switch (tag.Type)
            {
                case 9:
                    result = read.Reader.ReadVideo(Body(tag.Body, oneBytePerSegment), tag.TimestampMs, out frame);
                    break;
                case 8:
                    result = read.Reader.ReadAudio(Body(tag.Body, oneBytePerSegment), tag.TimestampMs, out frame);
                    break;
                default:
                    continue;
            }

            read.Results.Add((tag.Type, result));
            Assert.Equal(result == FlvTagResult.Frame, frame is not null);
            if (frame is not null)
            {
                (frame.Kind == TrackKind.Video ? read.Video : read.Audio).Add(frame);
            }
        }

        return read;
    }

    public void Dispose()
    {
        foreach (var frame in Video.Concat(Audio))
        {
            frame.Release();
        }
    }
}
