using OnAir.Media.Avc;
using OnAir.Media.Flv;

namespace OnAir.Media.Tests.Avc;

/// <summary>
/// Malformed AVCDecoderConfigurationRecords (derived from ffmpeg's real ones) must be refused with
/// <see cref="InvalidMediaException"/>, which closes one publisher's session, never with an
/// IndexOutOfRangeException or similar that would look like a server fault.
/// </summary>
public class AvcConfigTests
{
    public static TheoryData<string> Vectors => new() { VectorTags.AudioVideo, VectorTags.Baseline854, "h264-1920x1080-main.flv" };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_truncation_before_the_last_pps_ends_is_invalid(string vector)
    {
        var record = Record(vector);
        var end = EndOfLastPps(record);
        for (var length = 0; length < end; length++)
        {
            AssertInvalid(record.AsSpan(0, length).ToArray());
        }
    }

    [Fact]
    public void High_profile_record_without_the_optional_chroma_extension_is_accepted()
    {
        // ISO/IEC 14496-15 adds chroma/bit-depth bytes after the PPS for High profiles; many
        // encoders omit them, and the picture facts come from the SPS anyway.
        var record = Record(VectorTags.AudioVideo);
        var end = EndOfLastPps(record);
        Assert.True(end < record.Length, "the vector's High-profile record should carry the extension");

        var full = AvcConfig.Parse(record);
        var trimmed = AvcConfig.Parse(record.AsSpan(0, end));
        Assert.Equal((full.Width, full.Height, full.CodecString), (trimmed.Width, trimmed.Height, trimmed.CodecString));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(0xFF)]
    public void Record_version_other_than_1_is_invalid(byte version)
    {
        var record = Record(VectorTags.Baseline854);
        record[0] = version;
        AssertInvalid(record);
    }

    [Fact]
    public void Record_without_sps_is_invalid()
    {
        var record = Record(VectorTags.Baseline854);
        var spsEnd = 8 + SpsLength(record);
        // Keep the header with numOfSequenceParameterSets = 0, then the real PPS list.
        byte[] noSps = [.. record.AsSpan(0, 5), 0xE0, .. record.AsSpan(spsEnd)];
        AssertInvalid(noSps);
    }

    [Fact]
    public void Record_without_pps_is_invalid()
    {
        var record = Record(VectorTags.Baseline854);
        var spsEnd = 8 + SpsLength(record);
        byte[] noPps = [.. record.AsSpan(0, spsEnd), 0];
        AssertInvalid(noPps);
    }

    [Theory]
    [InlineData(0)] // an empty SPS
    [InlineData(-1)] // one byte more than the record holds
    [InlineData(0xFFFF)]
    public void Sps_length_zero_or_running_past_the_record_is_invalid(int length)
    {
        var record = Record(VectorTags.Baseline854);
        if (length < 0)
        {
            length = record.Length - 8 + 1;
        }

        record[6] = (byte)(length >> 8);
        record[7] = (byte)length;
        AssertInvalid(record);
    }

    [Fact]
    public void Pps_length_running_past_the_record_is_invalid()
    {
        var record = Record(VectorTags.Baseline854);
        var ppsLengthAt = 8 + SpsLength(record) + 1;
        var ppsLength = (record[ppsLengthAt] << 8) | record[ppsLengthAt + 1];
        record[ppsLengthAt + 1] = (byte)(ppsLength + 1);
        AssertInvalid(record);
    }

    [Theory]
    [InlineData(0xFC, 1)]
    [InlineData(0xFD, 2)]
    [InlineData(0xFF, 4)]
    public void Nal_length_size_1_2_and_4_are_accepted(byte lengthSizeByte, int expected)
    {
        var record = Record(VectorTags.Baseline854);
        record[4] = lengthSizeByte;
        Assert.Equal(expected, AvcConfig.Parse(record).NalLengthSize);
    }

    [Fact]
    public void Nal_length_size_3_is_invalid()
    {
        var record = Record(VectorTags.Baseline854);
        record[4] = 0xFE; // lengthSizeMinusOne = 2
        AssertInvalid(record);
    }

    [Fact]
    public void First_parameter_set_that_is_not_an_sps_is_invalid()
    {
        var record = Record(VectorTags.Baseline854);
        record[8] = 0x68; // a PPS NAL header where the SPS should be
        AssertInvalid(record);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task A_cut_sps_is_invalid_or_loses_only_the_frame_rate(string vector)
    {
        // The VUI (frame rate) is the SPS tail and optional; a cut there must not change the picture size.
        var probe = (await ProbeResult.OfVectorAsync(vector)).Video!;
        var record = Record(vector);
        var spsLength = SpsLength(record);
        var sps = record.AsSpan(8, spsLength).ToArray();
        var afterSps = record.AsSpan(8 + spsLength).ToArray();
        var invalid = 0;
        for (var cut = 1; cut < spsLength; cut++)
        {
            byte[] shortened = [.. record.AsSpan(0, 6), (byte)(cut >> 8), (byte)cut, .. sps.AsSpan(0, cut), .. afterSps];
            try
            {
                var config = AvcConfig.Parse(shortened);
                Assert.Equal((probe.Width, probe.Height), (config.Width, config.Height));
            }
            catch (InvalidMediaException)
            {
                invalid++;
            }
        }

        Assert.True(invalid > 0, "cutting the SPS before its picture size must be refused");
    }

    [Fact]
    public void Video_tag_shorter_than_its_header_is_invalid()
    {
        var header = VectorTags.VideoSequenceHeader();
        for (var length = 1; length < 5; length++)
        {
            var reader = new FlvMediaReader();
            Assert.Throws<InvalidMediaException>(() => reader.ReadVideo(VectorRead.Body(header[..length], false), 0, out _));
        }
    }

    private static void AssertInvalid(byte[] record)
    {
        Assert.Throws<InvalidMediaException>(() => AvcConfig.Parse(record));

        // The same record arriving as an FLV sequence header, whole and one byte per segment.
        byte[] body = [0x17, 0, 0, 0, 0, .. record];
        foreach (var segmented in new[] { false, true })
        {
            var reader = new FlvMediaReader();
            Assert.Throws<InvalidMediaException>(() => reader.ReadVideo(VectorRead.Body(body, segmented), 0, out _));
            Assert.Null(reader.Video);
        }
    }

    private static byte[] Record(string vector) => VectorTags.VideoSequenceHeader(vector)[5..];

    private static int SpsLength(byte[] record)
    {
        Assert.Equal(0xE1, record[5]); // the vectors carry exactly one SPS
        return (record[6] << 8) | record[7];
    }

    private static int EndOfLastPps(byte[] record)
    {
        var offset = 8 + SpsLength(record);
        Assert.Equal(1, record[offset]); // and exactly one PPS
        var ppsLength = (record[offset + 1] << 8) | record[offset + 2];
        return offset + 3 + ppsLength;
    }
}
