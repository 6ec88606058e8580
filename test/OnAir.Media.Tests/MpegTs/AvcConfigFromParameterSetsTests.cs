using OnAir.Media.Avc;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>
/// MPEG-TS carries SPS and PPS in-band, so the demuxer builds the AVCDecoderConfigurationRecord
/// itself; it must be the record ffmpeg builds from the same parameter sets (its FLV extradata).
/// </summary>
public class AvcConfigFromParameterSetsTests
{
    public static TheoryData<string> Vectors => new() { VectorTags.AudioVideo, VectorTags.Baseline854, "h264-1920x1080-main.flv" };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Record_is_byte_exact_with_ffmpegs(string vector)
    {
        var record = VectorTags.VideoSequenceHeader(vector)[5..];
        var (sps, pps) = ParameterSets(record);

        var config = AvcConfig.FromParameterSets(sps, pps);

        Assert.Equal(record, config.Record.ToArray());
        Assert.Equal(4, config.NalLengthSize);
        Assert.Equal(AvcConfig.Parse(record).CodecString, config.CodecString);
    }

    [Fact]
    public void Wrong_nal_types_and_truncated_sets_are_invalid_media()
    {
        var (sps, pps) = ParameterSets(VectorTags.VideoSequenceHeader()[5..]);
        Assert.Throws<InvalidMediaException>(() => AvcConfig.FromParameterSets(pps, pps));
        Assert.Throws<InvalidMediaException>(() => AvcConfig.FromParameterSets(sps, sps));
        Assert.Throws<InvalidMediaException>(() => AvcConfig.FromParameterSets(sps.AsSpan(0, 3), pps));
        Assert.Throws<InvalidMediaException>(() => AvcConfig.FromParameterSets(sps.AsSpan(0, 6), pps)); // High profile: cut inside the chroma fields
        Assert.Throws<InvalidMediaException>(() => AvcConfig.FromParameterSets(sps, []));
    }

    /// <summary>The one SPS and one PPS of a record: 6-byte header, u16 length, SPS, count, u16 length, PPS.</summary>
    internal static (byte[] Sps, byte[] Pps) ParameterSets(byte[] record)
    {
        var spsLength = (record[6] << 8) | record[7];
        var ppsLength = (record[9 + spsLength] << 8) | record[10 + spsLength];
        return (record.AsSpan(8, spsLength).ToArray(), record.AsSpan(11 + spsLength, ppsLength).ToArray());
    }
}
