using OnAir.Media.Aac;
using OnAir.Media.Flv;
using OnAir.Testing;

namespace OnAir.Media.Tests.Aac;

/// <summary>AudioSpecificConfigs that ADTS (HLS audio) cannot describe are refused with <see cref="InvalidMediaException"/>.</summary>
public class AacConfigTests
{
    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x12 })]
    public void Too_short_config_is_invalid(byte[] record) => AssertInvalid(record);

    [Fact]
    public void Object_type_0_is_invalid() => AssertInvalid(WithFields(Real(), objectType: 0));

    [Fact]
    public void Escaped_object_type_31_is_invalid() => AssertInvalid(WithFields(Real(), objectType: 31));

    [Theory]
    [InlineData(13)]
    [InlineData(14)]
    [InlineData(15)] // explicit 24-bit sample rate follows
    public void Reserved_or_explicit_sample_rate_index_is_invalid(int index) => AssertInvalid(WithFields(Real(), frequencyIndex: index));

    [Theory]
    [InlineData(0)] // layout in a program config element
    [InlineData(8)]
    [InlineData(15)]
    public void Channel_configuration_outside_1_to_7_is_invalid(int channels) => AssertInvalid(WithFields(Real(), channels: channels));

    [Theory]
    [InlineData(96000, 2)]
    [InlineData(22050, 6)]
    [InlineData(7350, 1)]
    public async Task Sample_rate_and_channels_match_ffprobe_for_other_encoder_settings(int sampleRate, int channels)
    {
        var path = Path.Combine(Path.GetTempPath(), $"onair-aac-{sampleRate}-{channels}-{Guid.NewGuid():n}.flv");
        try
        {
            var (code, _, stderr) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", $"sine=sample_rate={sampleRate}", "-t", "0.1", "-c:a", "aac", "-ac", $"{channels}", "-f", "flv", path], TimeSpan.FromSeconds(30));
            Assert.True(code == 0, stderr);
            var probe = (await ProbeResult.OfFileAsync(path)).Audio!;
            var tag = FlvFile.ReadTags(path).First(t => t.Type == 8 && t.Body[1] == 0);

            var reader = new FlvMediaReader();
            Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadAudio(VectorRead.Body(tag.Body, true), 0, out _));
            Assert.Equal((probe.SampleRate, probe.Channels, "mp4a.40.2"), (reader.Audio!.SampleRate, reader.Audio.ChannelConfiguration, reader.Audio.CodecString));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Audio_tag_shorter_than_its_header_is_invalid()
    {
        var reader = new FlvMediaReader();
        Assert.Throws<InvalidMediaException>(() => reader.ReadAudio(VectorRead.Body([0xAF], false), 0, out _));
    }

    private static void AssertInvalid(byte[] record)
    {
        Assert.Throws<InvalidMediaException>(() => AacConfig.Parse(record));

        byte[] body = [0xAF, 0, .. record];
        foreach (var segmented in new[] { false, true })
        {
            var reader = new FlvMediaReader();
            Assert.Throws<InvalidMediaException>(() => reader.ReadAudio(VectorRead.Body(body, segmented), 0, out _));
            Assert.Null(reader.Audio);
        }
    }

    private static byte[] Real(string vector = VectorTags.AudioVideo) => VectorTags.AudioSequenceHeader(vector)[2..];

    /// <summary>Rewrites audioObjectType (5 bits), samplingFrequencyIndex (4) and channelConfiguration (4) of a real config.</summary>
    private static byte[] WithFields(byte[] record, int? objectType = null, int? frequencyIndex = null, int? channels = null)
    {
        var bits = (record[0] << 8) | record[1];
        var ot = objectType ?? bits >> 11;
        var fi = frequencyIndex ?? (bits >> 7) & 0x0F;
        var ch = channels ?? (bits >> 3) & 0x0F;
        bits = (ot << 11) | (fi << 7) | (ch << 3) | (bits & 0x07);
        var copy = (byte[])record.Clone();
        copy[0] = (byte)(bits >> 8);
        copy[1] = (byte)bits;
        return copy;
    }
}
