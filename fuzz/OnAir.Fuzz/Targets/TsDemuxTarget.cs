using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Fuzz.Targets;

/// <summary>MPEG-TS as SRT publishers and the transcoder's ffmpeg send it: tables, PES reassembly, ADTS and Annex B into frames, in reads cut where the input says.</summary>
internal sealed class TsDemuxTarget : IFuzzTarget
{
    public static string Name => "ts-demux";

    public static IEnumerable<byte[]> Seeds()
    {
        foreach (var vector in new[] { "h264-aac-320x240-2s.ts", "ladder-h264x3-aac-2s.ts", "h264-aac-160x120-ptswrap.ts", "hevc-aac-320x180-0.5s.ts" })
        {
            var ts = Vectors.Read(vector);
            yield return ts[..Math.Min(ts.Length, 188 * 200)];
        }
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        using var demuxer = new TsDemuxer();
        var output = new List<TsFrame>();
        try
        {
            foreach (var segment in Segments.Split(input))
            {
                demuxer.Push(segment.Span, output);
                Release(output);
            }

            demuxer.Flush(output);
        }
        catch (InvalidMediaException)
        {
            // the connection is closed with its reason
        }
        finally
        {
            Release(output);
        }
    }

    private static void Release(List<TsFrame> frames)
    {
        foreach (var frame in frames)
        {
            frame.Frame.Release();
        }

        frames.Clear();
    }
}
