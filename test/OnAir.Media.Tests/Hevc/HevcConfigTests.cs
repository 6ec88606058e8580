using OnAir.Media.Hevc;
using OnAir.Testing;

namespace OnAir.Media.Tests.Hevc;

/// <summary>
/// The HEVCDecoderConfigurationRecord an Enhanced RTMP publisher sends first: read from x265's own
/// output, its picture size, profile and level agree with ffprobe, its codec string is the one HLS
/// players expect, and a damaged record is refused with a reason, never with a crash.
/// </summary>
public class HevcConfigTests
{
    public static TheoryData<string> Vectors => new() { "hevc-320x180-main.mp4", "hevc-640x360-main10.mp4" };

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Size_profile_and_level_match_ffprobe(string vector)
    {
        var probe = (await ProbeResult.StreamsOfFileAsync(TestVectors.Path(vector))).Video!;
        var record = Record(vector);
        Assert.Equal(probe.Extradata, record); // the record is the one ffmpeg hands its decoder

        var config = HevcConfig.Parse(record);
        Assert.Equal((probe.Width, probe.Height), (config.Width, config.Height)); // the conformance window applied
        Assert.Equal(probe.Profile == "Main 10" ? 2 : 1, config.ProfileIdc);
        Assert.Equal(probe.Level, config.LevelIdc);
        Assert.Equal(4, config.NalLengthSize);
        Assert.Equal((1, 1, 1), (config.VpsList.Count, config.SpsList.Count, config.PpsList.Count));
        Assert.Equal(TrackKind.Video, config.Kind);
        Assert.Equal(record, config.Record.ToArray());
    }

    [Theory]
    [InlineData("hevc-320x180-main.mp4", "hvc1.1.6.L60.90")] // Main, compatible with Main and Main 10 (flags 1 and 2, reversed: 6)
    [InlineData("hevc-640x360-main10.mp4", "hvc1.2.4.L63.90")] // Main 10 only (flag 2, reversed: 4)
    public void Codec_string_is_the_rfc6381_form_of_the_records_profile_tier_and_level(string vector, string expected)
    {
        // x265 marks its pictures progressive and frame-only: the first constraint byte is 0x90, the other five zero (omitted).
        Assert.Equal(expected, HevcConfig.Parse(Record(vector)).CodecString);
    }

    [Fact]
    public void A_record_cut_anywhere_is_refused_with_a_reason()
    {
        var record = Record("hevc-320x180-main.mp4");
        var sps = HevcConfig.Parse(record).SpsList[0];
        var spsEnd = record.AsSpan().IndexOf(sps) + sps.Length;
        for (var length = 0; length < spsEnd; length++)
        {
            Assert.Throws<InvalidMediaException>(() => HevcConfig.Parse(record.AsSpan(0, length)));
        }
    }

    [Fact]
    public void Damaged_records_parse_or_are_refused_but_never_crash()
    {
        var record = Record("hevc-640x360-main10.mp4");
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var damaged = (byte[])record.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                damaged[random.Next(Math.Min(damaged.Length, 120))] ^= (byte)(1 << random.Next(8)); // the header, arrays and parameter sets
            }

            try
            {
                var config = HevcConfig.Parse(damaged);
                Assert.InRange(config.Width, 1, 16888);
                Assert.InRange(config.Height, 1, 16888);
            }
            catch (InvalidMediaException)
            {
            }
        }
    }

    [Fact]
    public void A_record_of_another_version_or_without_an_sps_is_refused()
    {
        var record = Record("hevc-320x180-main.mp4");
        var otherVersion = (byte[])record.Clone();
        otherVersion[0] = 2;
        Assert.Contains("version 2", Assert.Throws<InvalidMediaException>(() => HevcConfig.Parse(otherVersion)).Message);

        var noArrays = record[..23];
        noArrays[22] = 0;
        Assert.Contains("lacks", Assert.Throws<InvalidMediaException>(() => HevcConfig.Parse(noArrays)).Message);
    }

    private static byte[] Record(string vector) => Mp4Box.SampleEntryRecord(File.ReadAllBytes(TestVectors.Path(vector)), "hvc1", "hvcC");
}
