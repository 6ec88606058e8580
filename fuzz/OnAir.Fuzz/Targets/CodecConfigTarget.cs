using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Hevc;
using OnAir.Testing;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// The codec configurations a publisher sends first: the AVCDecoderConfigurationRecord (with its SPS,
/// parsed for the picture size and profile), an SPS NAL on its own, the AAC AudioSpecificConfig, the
/// HEVCDecoderConfigurationRecord and an HEVC SPS on its own. The first byte picks which.
/// </summary>
internal sealed class CodecConfigTarget : IFuzzTarget
{
    public static string Name => "codec-config";

    public static IEnumerable<byte[]> Seeds()
    {
        foreach (var vector in new[] { "h264-aac-320x240-2s.flv", "h264-1920x1080-main.flv", "h264-854x480-main.flv", "aac-44100-mono.flv" })
        {
            var frames = VectorFrames.Read(vector);
            if (frames.Frames.FirstOrDefault(f => f.Kind == TrackKind.Video)?.Config is AvcConfig avc)
            {
                yield return [0, .. avc.Record.Span];
                yield return [1, .. avc.SpsList[0]];
            }

            if (frames.Frames.FirstOrDefault(f => f.Kind == TrackKind.Audio)?.Config is AacConfig aac)
            {
                yield return [2, .. aac.Record.Span];
            }

            frames.Dispose();
        }

        foreach (var vector in new[] { "hevc-320x180-main.mp4", "hevc-640x360-main10.mp4" })
        {
            var record = Mp4Box.SampleEntryRecord(Vectors.Read(vector), "hvc1", "hvcC");
            yield return [3, .. record];
            yield return [4, .. HevcConfig.Parse(record).SpsList[0]];
        }
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        try
        {
            _ = (input[0] % 5) switch
            {
                0 => AvcConfig.Parse(input[1..]).CodecString,
                1 => SequenceParameterSet.Parse(input[1..]).Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
                2 => AacConfig.Parse(input[1..]).CodecString,
                3 => HevcConfig.Parse(input[1..]).CodecString,
                _ => HevcSequenceParameterSet.Parse(input[1..]).Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        catch (InvalidMediaException)
        {
            // the publisher's configuration is refused with its reason
        }
    }
}
