using System.Buffers;
using OnAir.Media;
using OnAir.Media.Flv;

namespace OnAir.Testing;

/// <summary>The frames of an FLV vector in tag order, as the RTMP ingest hands them over (through <see cref="FlvMediaReader"/>).</summary>
public static class FlvVector
{
    /// <summary>Reads every frame; the caller owns (and releases) them. <paramref name="reader"/> ends up holding the vector's codec configurations.</summary>
    public static List<MediaFrame> ReadFrames(string vectorName, out FlvMediaReader reader)
    {
        reader = new FlvMediaReader();
        var frames = new List<MediaFrame>();
        foreach (var tag in FlvFile.ReadTags(TestVectors.Path(vectorName)))
        {
            var body = new ReadOnlySequence<byte>(tag.Body);
            MediaFrame? frame = null;
            _ = tag.Type switch
            {
                8 => reader.ReadAudio(body, tag.TimestampMs, out frame),
                9 => reader.ReadVideo(body, tag.TimestampMs, out frame),
                _ => FlvTagResult.Ignored,
            };
            if (frame is not null)
            {
                frames.Add(frame);
            }
        }

        return frames;
    }
}
