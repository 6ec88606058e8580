using OnAir.Media.Avc;

namespace OnAir.Media.Tests.Avc;

/// <summary>H.264 NAL unit helpers (ITU-T H.264 section 7.3.1, 7.4.1).</summary>
public class NalUnitTests
{
    [Theory]
    [InlineData("000003", "0000")]
    [InlineData("00000301", "000001")]
    [InlineData("0000030000030000", "000000000000")] // the byte after an emulation byte starts a new count
    [InlineData("00000303", "000003")] // only the first 03 is emulation prevention
    [InlineData("000103", "000103")] // one zero is not enough
    [InlineData("67640D00", "67640D00")]
    public void Emulation_prevention_bytes_are_removed(string nalHex, string rbspHex)
    {
        var nal = Convert.FromHexString(nalHex);
        var destination = new byte[nal.Length];
        var written = NalUnit.ToRbsp(nal, destination);
        Assert.Equal(rbspHex, Convert.ToHexString(destination, 0, written));
    }

    [Fact]
    public async Task Real_sps_with_emulation_bytes_parses_to_ffprobe_size()
    {
        var probe = (await ProbeResult.OfVectorAsync(VectorTags.Baseline854)).Video!;
        // The 854x480 vector's SPS has two 00 00 03 sequences inside its VUI timing fields.
        var record = VectorTags.VideoSequenceHeader(VectorTags.Baseline854)[5..];
        var sps = record.AsSpan(8, (record[6] << 8) | record[7]).ToArray();
        Assert.True(sps.AsSpan().IndexOf(new byte[] { 0, 0, 3 }) > 0);
        var parsed = SequenceParameterSet.Parse(sps);
        Assert.Equal((probe.Width, probe.Height, probe.FrameRate), (parsed.Width, parsed.Height, $"{parsed.FrameRate}/1"));
    }

    [Theory]
    [InlineData(1, "02AABB01CC", new[] { "AABB", "CC" })]
    [InlineData(2, "0002AABB0001CC", new[] { "AABB", "CC" })]
    [InlineData(4, "00000002AABB00000000", new[] { "AABB", "" })]
    public void Length_prefixed_nal_units_are_walked_in_order(int lengthSize, string hex, string[] expected)
    {
        var accessUnit = Convert.FromHexString(hex);
        var offset = 0;
        var found = new List<string>();
        while (offset < accessUnit.Length)
        {
            Assert.True(NalUnit.TryGetNext(accessUnit, lengthSize, ref offset, out var nal));
            found.Add(Convert.ToHexString(nal));
        }

        Assert.Equal(expected, found);
    }

    [Theory]
    [InlineData(4, "00000003AABB")] // one byte short
    [InlineData(4, "000000")] // prefix itself truncated
    [InlineData(4, "80000000AA")] // length with the top bit set must not turn negative
    [InlineData(4, "FFFFFFFFAA")]
    [InlineData(2, "FFFFAA")]
    public void Length_past_the_end_is_refused(int lengthSize, string hex)
    {
        var offset = 0;
        Assert.False(NalUnit.TryGetNext(Convert.FromHexString(hex), lengthSize, ref offset, out var nal));
        Assert.True(nal.IsEmpty);
    }

    [Theory]
    [InlineData(0x67, NalUnit.TypeSps)]
    [InlineData(0x68, NalUnit.TypePps)]
    [InlineData(0x65, NalUnit.TypeIdrSlice)]
    [InlineData(0x41, NalUnit.TypeNonIdrSlice)]
    [InlineData(0x06, NalUnit.TypeSei)]
    [InlineData(0x09, NalUnit.TypeAccessUnitDelimiter)]
    public void Type_is_the_low_five_bits(byte header, byte type) => Assert.Equal(type, NalUnit.TypeOf(header));
}
