using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

public sealed class AdtsHeaderTests
{
    // AudioSpecificConfig: object type 2 (AAC-LC), frequency index 3 (48 kHz), channel configuration 2.
    private static readonly AacConfig s_lcStereo48k = AacConfig.Parse([0x11, 0x90]);

    // Object type 2, frequency index 4 (44.1 kHz), channel configuration 1.
    private static readonly AacConfig s_lcMono44k = AacConfig.Parse([0x12, 0x08]);

    [Fact]
    public void Lc_stereo_48k_header_for_100_raw_bytes_is_hand_checked()
    {
        var header = new byte[AdtsHeader.Size];
        AdtsHeader.Write(header, s_lcStereo48k, 100);

        // FFF1: sync, MPEG-4, layer 0, no CRC. 4C: profile 1 (LC), index 3, channel bit 0.
        // 80: channels low bits 10, length bits 12..11 = 0. 0D 7F FC: length 107 = 0b0000001101011 then fullness 0x7FF, 1 block.
        Assert.Equal(new byte[] { 0xFF, 0xF1, 0x4C, 0x80, 0x0D, 0x7F, 0xFC }, header);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(371)]
    [InlineData(2048)]
    [InlineData(8184)]
    public void Frame_length_field_counts_header_and_payload(int rawLength)
    {
        var header = new byte[AdtsHeader.Size];
        AdtsHeader.Write(header, s_lcMono44k, rawLength);

        var frameLength = ((header[3] & 0x03) << 11) | (header[4] << 3) | (header[5] >> 5);
        Assert.Equal(rawLength + 7, frameLength);
        Assert.Equal(1, header[2] >> 6); // profile = object type 2 - 1
        Assert.Equal(4, (header[2] >> 2) & 0x0F); // sampling_frequency_index
        Assert.Equal(1, ((header[2] & 0x01) << 2) | (header[3] >> 6)); // channel_configuration
        Assert.Equal(1, header[1] & 0x01); // protection_absent: no CRC follows
    }

    [Fact]
    public void Frame_too_large_for_13_bits_is_rejected()
    {
        var header = new byte[AdtsHeader.Size];
        Assert.Throws<InvalidMediaException>(() => AdtsHeader.Write(header, s_lcStereo48k, 8185));
    }

    [Fact]
    public void Adts_frame_reads_header_then_raw_bytes_across_any_split()
    {
        byte[] header = [1, 2, 3, 4, 5, 6, 7];
        byte[] raw = [10, 11, 12, 13, 14];
        var frame = new AdtsFrame(header, raw);
        Assert.Equal(12, frame.Length);

        var output = new byte[12];
        var first = frame.Read(output.AsSpan(0, 5));
        var second = frame.Read(output.AsSpan(5, 4));
        var third = frame.Read(output.AsSpan(9));
        var after = frame.Read(new byte[4]);

        Assert.Equal((5, 4, 3, 0), (first, second, third, after));
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14 }, output);
    }
}
