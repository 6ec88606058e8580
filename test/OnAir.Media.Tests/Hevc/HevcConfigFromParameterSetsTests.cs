using OnAir.Media.Hevc;

namespace OnAir.Media.Tests.Hevc;

/// <summary>
/// MPEG-TS carries H.265's VPS, SPS and PPS in-band, so the demuxer builds the
/// HEVCDecoderConfigurationRecord itself; it must be the record ffmpeg builds from the same
/// parameter sets, less the SEI array ffmpeg also keeps (x265's settings, which no decoder needs).
/// </summary>
public class HevcConfigFromParameterSetsTests
{
    [Theory]
    [MemberData(nameof(HevcConfigTests.Vectors), MemberType = typeof(HevcConfigTests))]
    public void Record_is_ffmpegs_without_its_sei_array(string vector)
    {
        var record = Mp4Box.SampleEntryRecord(File.ReadAllBytes(TestVectors.Path(vector)), "hvc1", "hvcC");
        var reference = HevcConfig.Parse(record);

        var config = HevcConfig.FromParameterSets(reference.VpsList[0], reference.SpsList[0], reference.PpsList[0]);

        Assert.Equal(WithoutSeiArrays(record), config.Record.ToArray());
        Assert.Equal((reference.CodecString, reference.Width, reference.Height, 4), (config.CodecString, config.Width, config.Height, config.NalLengthSize));
    }

    [Fact]
    public void Missing_or_wrong_parameter_sets_are_invalid_media()
    {
        var reference = HevcConfig.Parse(Mp4Box.SampleEntryRecord(File.ReadAllBytes(TestVectors.Path("hevc-320x180-main.mp4")), "hvc1", "hvcC"));
        var (vps, sps, pps) = (reference.VpsList[0], reference.SpsList[0], reference.PpsList[0]);
        Assert.Throws<InvalidMediaException>(() => HevcConfig.FromParameterSets(vps, vps, pps)); // a VPS where the SPS goes
        Assert.Throws<InvalidMediaException>(() => HevcConfig.FromParameterSets(vps, sps.AsSpan(0, 10), pps)); // cut inside profile_tier_level
        Assert.Throws<InvalidMediaException>(() => HevcConfig.FromParameterSets([], sps, pps));
        Assert.Throws<InvalidMediaException>(() => HevcConfig.FromParameterSets(vps, sps, sps)); // an SPS where the PPS goes: the record lacks a PPS
    }

    /// <summary>The record with only its VPS, SPS and PPS arrays, in their order.</summary>
    private static byte[] WithoutSeiArrays(byte[] record)
    {
        var kept = new List<byte>();
        var offset = 23;
        var arrays = 0;
        for (var i = 0; i < record[22]; i++)
        {
            var start = offset;
            var count = (record[offset + 1] << 8) | record[offset + 2];
            offset += 3;
            for (var j = 0; j < count; j++)
            {
                offset += 2 + ((record[offset] << 8) | record[offset + 1]);
            }

            if ((record[start] & 0x3F) is HevcConfig.NalTypeVps or HevcConfig.NalTypeSps or HevcConfig.NalTypePps)
            {
                kept.AddRange(record.AsSpan(start, offset - start).ToArray());
                arrays++;
            }
        }

        return [.. record.AsSpan(0, 22), (byte)arrays, .. kept];
    }
}
