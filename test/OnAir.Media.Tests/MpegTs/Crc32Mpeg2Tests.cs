using System.Buffers.Binary;
using System.Text;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

public sealed class Crc32Mpeg2Tests
{
    [Fact]
    public void Check_value_of_123456789_is_the_catalogued_0x0376E6E7()
    {
        // The CRC catalogue's check value for CRC-32/MPEG-2.
        Assert.Equal(0x0376E6E7u, Crc32Mpeg2.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void Empty_input_leaves_the_initial_value()
    {
        Assert.Equal(0xFFFFFFFFu, Crc32Mpeg2.Compute([]));
    }

    [Fact]
    public void Data_followed_by_its_crc_checks_to_zero_as_decoders_verify_sections()
    {
        var data = new byte[64];
        new Random(42).NextBytes(data);
        var withCrc = new byte[data.Length + 4];
        data.CopyTo(withCrc, 0);
        BinaryPrimitives.WriteUInt32BigEndian(withCrc.AsSpan(data.Length), Crc32Mpeg2.Compute(data));

        Assert.Equal(0u, Crc32Mpeg2.Compute(withCrc));
        withCrc[10] ^= 0x01;
        Assert.NotEqual(0u, Crc32Mpeg2.Compute(withCrc));
    }
}
