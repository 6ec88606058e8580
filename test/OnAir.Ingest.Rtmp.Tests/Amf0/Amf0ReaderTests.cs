using System.Buffers;
using OnAir.Ingest.Rtmp.Amf0;
using Xunit;

namespace OnAir.Ingest.Rtmp.Tests.Amf0;

public class Amf0ReaderTests
{
    [Fact]
    public void Values_written_by_Amf0Writer_read_back()
    {
        var output = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(output, "_result");
        Amf0Writer.WriteNumber(output, 1);
        Amf0Writer.WriteValue(output, new Dictionary<string, object?> { ["level"] = "status", ["n"] = 2.5, ["ok"] = true, ["none"] = null });

        var reader = new Amf0Reader(output.WrittenSpan, 16);
        Assert.Equal("_result", reader.ReadValue());
        Assert.Equal(1.0, reader.ReadValue());
        var obj = Assert.IsType<Dictionary<string, object?>>(reader.ReadValue());
        Assert.Equal("status", obj["level"]);
        Assert.Equal(2.5, obj["n"]);
        Assert.Equal(true, obj["ok"]);
        Assert.Null(obj["none"]);
        Assert.False(reader.HasMore);
    }

    [Fact]
    public void Ecma_arrays_strict_arrays_dates_and_long_strings_decode()
    {
        byte[] bytes =
        [
            0x08, 0, 0, 0, 1, 0, 1, (byte)'a', 0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0, 0, 0x09, // ecma {a: 1}
            0x0A, 0, 0, 0, 2, 0x05, 0x06, // strict [null, undefined]
            0x0B, 0x42, 0x77, 0x48, 0x76, 0xE8, 0x00, 0x00, 0x00, 0, 0, // date 1.6e12 ms
            0x0C, 0, 0, 0, 2, (byte)'h', (byte)'i',
        ];
        var reader = new Amf0Reader(bytes, 16);
        Assert.Equal(1.0, Assert.IsType<Dictionary<string, object?>>(reader.ReadValue())["a"]);
        var array = Assert.IsType<List<object?>>(reader.ReadValue());
        Assert.Null(array[0]);
        Assert.Same(Amf0Undefined.Instance, array[1]);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_000), reader.ReadValue());
        Assert.Equal("hi", reader.ReadValue());
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var bytes = new List<byte>();
        for (var i = 0; i < 100; i++)
        {
            bytes.AddRange([0x03, 0, 1, (byte)'x']);
        }

        var error = Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(bytes.ToArray(), 16).ReadValue());
        Assert.Contains("nested deeper than 16", error.Message);
    }

    [Theory]
    [InlineData(new byte[] { 0x00, 1, 2 })] // number cut short
    [InlineData(new byte[] { 0x02, 0, 10, (byte)'a' })] // string longer than the data
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF })] // strict array claiming 4 billion items
    [InlineData(new byte[] { 0x03, 0, 1, (byte)'a' })] // object without its end marker
    [InlineData(new byte[] { 0x11 })] // AMF3 switch: not supported
    [InlineData(new byte[] { })]
    public void Malformed_values_raise_protocol_errors(byte[] bytes)
    {
        Assert.Throws<RtmpProtocolException>(() => new Amf0Reader(bytes, 16).ReadValue());
    }

    [Fact]
    public void Random_bytes_only_ever_raise_protocol_errors()
    {
        var random = new Random(42);
        var buffer = new byte[64];
        for (var i = 0; i < 20000; i++)
        {
            random.NextBytes(buffer);
            buffer[0] = (byte)random.Next(0x12);
            try
            {
                var reader = new Amf0Reader(buffer.AsSpan(0, random.Next(1, 64)), 8);
                while (reader.HasMore)
                {
                    reader.ReadValue();
                }
            }
            catch (RtmpProtocolException)
            {
            }
        }
    }
}
