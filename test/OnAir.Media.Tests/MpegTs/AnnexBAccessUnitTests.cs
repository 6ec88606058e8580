using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

public sealed class AnnexBAccessUnitTests
{
    private static readonly byte[] s_aud = [0x09, 0xF0];
    private static readonly byte[] s_sps = [0x67, 0x64, 0x00, 0x0D];
    private static readonly byte[] s_pps = [0x68, 0xEE, 0x3C];
    private static readonly byte[] s_sei = [0x06, 0x05, 0x01, 0x80];
    private static readonly byte[] s_idr = [0x65, 0x88, 0x84, 0x00, 0x21];
    private static readonly byte[] s_slice = [0x41, 0x9A, 0x02];

    private static readonly byte[] s_parameterSets = [0, 0, 0, 1, .. s_sps, 0, 0, 0, 1, .. s_pps];

    [Fact]
    public void Keyframe_gets_delimiter_then_parameter_sets_then_start_coded_nals_and_input_aud_is_dropped()
    {
        var avcc = Avcc(4, s_aud, s_sei, s_idr);

        var annexB = ReadAll(avcc, 4, s_parameterSets, chunk: 1000);

        byte[] expected = [0, 0, 0, 1, 0x09, 0xF0, .. s_parameterSets, 0, 0, 0, 1, .. s_sei, 0, 0, 0, 1, .. s_idr];
        Assert.Equal(expected, annexB);
    }

    [Fact]
    public void Access_unit_carrying_its_own_sps_and_pps_gets_no_second_copy()
    {
        var avcc = Avcc(4, s_sps, s_pps, s_idr);

        var annexB = ReadAll(avcc, 4, s_parameterSets, chunk: 1000);

        byte[] expected = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, .. s_sps, 0, 0, 0, 1, .. s_pps, 0, 0, 0, 1, .. s_idr];
        Assert.Equal(expected, annexB);
    }

    [Fact]
    public void Access_unit_with_pps_only_still_gets_the_parameter_sets()
    {
        var avcc = Avcc(4, s_pps, s_idr);

        var annexB = ReadAll(avcc, 4, s_parameterSets, chunk: 1000);

        byte[] expected = [0, 0, 0, 1, 0x09, 0xF0, .. s_parameterSets, 0, 0, 0, 1, .. s_pps, 0, 0, 0, 1, .. s_idr];
        Assert.Equal(expected, annexB);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void Non_key_frame_with_any_length_size_reads_the_same_in_any_chunking(int nalLengthSize)
    {
        var avcc = Avcc(nalLengthSize, s_slice, s_sei, s_slice);
        byte[] expected = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, .. s_slice, 0, 0, 0, 1, .. s_sei, 0, 0, 0, 1, .. s_slice];

        for (var chunk = 1; chunk <= expected.Length; chunk++)
        {
            Assert.Equal(expected, ReadAll(avcc, nalLengthSize, default, chunk));
        }
    }

    [Fact]
    public void Empty_nal_units_are_skipped()
    {
        var avcc = Avcc(4, [], s_slice, []);

        byte[] expected = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 0, 1, .. s_slice];
        Assert.Equal(expected, ReadAll(avcc, 4, default, chunk: 7));
    }

    [Fact]
    public void Nal_length_running_past_the_end_is_rejected_before_anything_is_read()
    {
        var avcc = Avcc(4, s_slice);
        avcc[3] = 200; // claims 200 bytes

        Assert.Throws<InvalidMediaException>(() => new AnnexBAccessUnit(NalSyntax.Avc, avcc, 4, default));
    }

    [Fact]
    public void Trailing_bytes_shorter_than_a_length_prefix_are_rejected()
    {
        byte[] avcc = [.. Avcc(4, s_slice), 0x00, 0x00];

        Assert.Throws<InvalidMediaException>(() => new AnnexBAccessUnit(NalSyntax.Avc, avcc, 4, default));
    }

    private static byte[] ReadAll(byte[] avcc, int nalLengthSize, byte[]? parameterSets, int chunk, NalSyntax? syntax = null)
    {
        var unit = new AnnexBAccessUnit(syntax ?? NalSyntax.Avc, avcc, nalLengthSize, parameterSets);
        var output = new byte[unit.Length];
        var offset = 0;
        while (offset < output.Length)
        {
            var read = unit.Read(output.AsSpan(offset, Math.Min(chunk, output.Length - offset)));
            Assert.True(read > 0, "the unit ended before its declared length");
            offset += read;
        }

        Assert.Equal(0, unit.Read(new byte[16]));
        return output;
    }

    [Fact]
    public void Hevc_keyframe_gets_its_own_delimiter_and_all_three_parameter_sets_unless_it_carries_them()
    {
        // Two-byte H.265 NAL headers: type in bits 1..6 of the first byte.
        byte[] aud = [0x46, 0x01, 0x10];
        byte[] vps = [0x40, 0x01, 0x0C];
        byte[] sps = [0x42, 0x01, 0x01];
        byte[] pps = [0x44, 0x01, 0xC1];
        byte[] idr = [0x26, 0x01, 0xAF, 0x10]; // IDR_W_RADL (19)
        byte[] sets = [0, 0, 0, 1, .. vps, 0, 0, 0, 1, .. sps, 0, 0, 0, 1, .. pps];
        byte[] delimiter = [0, 0, 0, 1, 0x46, 0x01, 0x50];

        // The input's delimiter is replaced by ours; SPS and PPS without the VPS are not enough.
        Assert.Equal([.. delimiter, .. sets, 0, 0, 0, 1, .. sps, 0, 0, 0, 1, .. pps, 0, 0, 0, 1, .. idr], ReadAll(Avcc(4, aud, sps, pps, idr), 4, sets, chunk: 5, NalSyntax.Hevc));
        Assert.Equal([.. delimiter, 0, 0, 0, 1, .. vps, 0, 0, 0, 1, .. sps, 0, 0, 0, 1, .. pps, 0, 0, 0, 1, .. idr], ReadAll(Avcc(4, vps, sps, pps, idr), 4, sets, chunk: 5, NalSyntax.Hevc));
    }

    [Fact]
    public void Hevc_nal_units_shorter_than_their_two_byte_header_are_dropped()
    {
        byte[] trail = [0x02, 0x01, 0xD0]; // TRAIL_R (1)
        Assert.Equal([0, 0, 0, 1, 0x46, 0x01, 0x50, 0, 0, 0, 1, .. trail], ReadAll(Avcc(4, [0x02], trail, []), 4, default, chunk: 3, NalSyntax.Hevc));
    }

    private static byte[] Avcc(int nalLengthSize, params byte[][] nals)
    {
        var bytes = new List<byte>();
        foreach (var nal in nals)
        {
            for (var i = nalLengthSize - 1; i >= 0; i--)
            {
                bytes.Add((byte)(nal.Length >> (8 * i)));
            }

            bytes.AddRange(nal);
        }

        return [.. bytes];
    }
}
