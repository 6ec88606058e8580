using System.Buffers;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Mp4;
using OnAir.Testing;

namespace OnAir.Media.Tests.Mp4;

/// <summary>An FLV vector written as fragmented MP4 by OnAir's writer: an init segment, then a fragment every <see cref="FramesPerFragment"/> frames of the track that drives the cuts.</summary>
internal static class Fmp4Vector
{
    public const int FramesPerFragment = 10;

    public static byte[] Write(IReadOnlyList<MediaFrame> frames)
    {
        var video = frames.FirstOrDefault(f => f.Kind == TrackKind.Video)?.Config as AvcConfig;
        var audio = frames.FirstOrDefault(f => f.Kind == TrackKind.Audio)?.Config as AacConfig;
        var output = new ArrayBufferWriter<byte>();
        output.Write(Fmp4InitSegment.Create(video, audio));
        using var writer = new Fmp4FragmentWriter(hasVideo: video is not null);
        var driving = video is not null ? TrackKind.Video : TrackKind.Audio;
        var counted = 0;
        long lastDts = 0;
        foreach (var frame in frames)
        {
            if (frame.Kind == driving)
            {
                if (counted == FramesPerFragment || (frame.IsKeyFrame && driving == TrackKind.Video && counted > 0))
                {
                    writer.Flush(output, frame.Dts);
                    counted = 0;
                }

                counted++;
                lastDts = frame.Dts;
            }

            writer.Add(frame);
        }

        writer.Flush(output, lastDts + MediaTime.FromMilliseconds(33));
        return output.WrittenSpan.ToArray();
    }

    public static async Task<string> WriteFileAsync(string vector)
    {
        var frames = FlvVector.ReadFrames(vector, out _);
        try
        {
            var path = Path.Combine(Path.GetTempPath(), $"onair-fmp4-{Guid.NewGuid():N}.mp4");
            await File.WriteAllBytesAsync(path, Write(frames));
            return path;
        }
        finally
        {
            frames.ForEach(f => f.Release());
        }
    }
}
