using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

public sealed class PesHeaderTests
{
    [Fact]
    public void Pts_and_dts_are_encoded_like_ffmpeg_encodes_them()
    {
        // The first video PES ffmpeg 5.1 writes for the 320x240 vector (its 1.4 s mux delay added):
        // PTS 132030, DTS 126000 -> "31 00 09 07 7D" and "11 00 07 D8 61".
        var header = new byte[PesHeader.MaxSize];
        var size = PesHeader.Write(header, PesHeader.VideoStreamId, pts: 132030, dts: 126000, payloadLength: 1000);

        Assert.Equal(19, size);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x01, 0xE0 }, header[..4]);
        Assert.Equal(0xC0, header[7]); // PTS and DTS
        Assert.Equal(10, header[8]);
        Assert.Equal(new byte[] { 0x31, 0x00, 0x09, 0x07, 0x7D, 0x11, 0x00, 0x07, 0xD8, 0x61 }, header[9..19]);
        Assert.Equal(3 + 10 + 1000, (header[4] << 8) | header[5]);
    }

    [Fact]
    public void Equal_pts_and_dts_write_pts_only()
    {
        var header = new byte[PesHeader.MaxSize];
        var size = PesHeader.Write(header, PesHeader.AudioStreamId, pts: 90_000, dts: 90_000, payloadLength: 200);

        Assert.Equal(14, size);
        Assert.Equal(0xC0, header[3]);
        Assert.Equal(0x80, header[7]);
        Assert.Equal(5, header[8]);
        Assert.Equal(0x2, header[9] >> 4); // '0010' prefix of a lone PTS
        Assert.Equal(90_000, PesInfo.ReadTimestamp(header.AsSpan(9)));
        Assert.Equal(3 + 5 + 200, (header[4] << 8) | header[5]);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData((1L << 32) + 12345)]
    [InlineData((1L << 33) - 1)]
    public void Timestamps_round_trip_through_the_33_bit_field(long pts)
    {
        var header = new byte[PesHeader.MaxSize];
        PesHeader.Write(header, PesHeader.VideoStreamId, pts, pts - 3000, payloadLength: 10);

        Assert.Equal(pts, PesInfo.ReadTimestamp(header.AsSpan(9)));
        Assert.Equal((pts - 3000) & ((1L << 33) - 1), PesInfo.ReadTimestamp(header.AsSpan(14)));
        foreach (var i in new[] { 9, 11, 13, 14, 16, 18 })
        {
            Assert.Equal(1, header[i] & 1); // marker bits
        }
    }

    [Fact]
    public void Timestamps_beyond_33_bits_wrap()
    {
        var header = new byte[PesHeader.MaxSize];
        PesHeader.Write(header, PesHeader.AudioStreamId, (1L << 33) + 7, (1L << 33) + 7, payloadLength: 10);

        Assert.Equal(7, PesInfo.ReadTimestamp(header.AsSpan(9)));
        Assert.Equal(0x80, header[7]); // still equal after masking: PTS only
    }

    [Fact]
    public void Packet_length_is_zero_when_it_does_not_fit_16_bits()
    {
        var header = new byte[PesHeader.MaxSize];
        PesHeader.Write(header, PesHeader.VideoStreamId, 6000, 3000, payloadLength: 65535 - 13);
        Assert.Equal(65535, (header[4] << 8) | header[5]);

        PesHeader.Write(header, PesHeader.VideoStreamId, 6000, 3000, payloadLength: 65535 - 12);
        Assert.Equal(0, (header[4] << 8) | header[5]);
    }
}
