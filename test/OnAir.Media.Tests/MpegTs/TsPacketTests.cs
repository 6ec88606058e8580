using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

public sealed class TsPacketTests
{
    [Fact]
    public void Pcr_and_random_access_flag_match_ffmpeg_bytes()
    {
        // ffmpeg 5.1's first video packet of the 320x240 vector: "07 50 00 00 7B 0C 7E 00",
        // adaptation_field_length 7, RAI + PCR flags, PCR base 63000 (0.7 s), extension 0.
        var packet = new byte[TsPacket.Size];
        var payload = TsPacket.WriteHeader(packet, 0x100, payloadUnitStart: true, 5, 176, writePcr: true, pcrBase: 63000, randomAccess: true);

        Assert.Equal(new byte[] { 0x47, 0x41, 0x00, 0x35 }, packet[..4]);
        Assert.Equal(new byte[] { 0x07, 0x50, 0x00, 0x00, 0x7B, 0x0C, 0x7E, 0x00 }, packet[4..12]);
        Assert.Equal(176, payload.Length);
    }

    [Fact]
    public void Pcr_base_keeps_its_33rd_bit_and_wraps_beyond()
    {
        var packet = new byte[TsPacket.Size];
        TsPacket.WriteHeader(packet, 0x100, true, 0, 100, writePcr: true, pcrBase: (1L << 33) + (1L << 32) + 1, randomAccess: false);
        var parsed = TsReader.Packets(packet).Single();

        Assert.Equal((1L << 32) + 1, parsed.PcrBase);
        Assert.Equal(0, parsed.PcrExtension);
        Assert.False(parsed.RandomAccess);
    }

    [Fact]
    public void Full_payload_needs_no_adaptation_field()
    {
        var packet = new byte[TsPacket.Size];
        var payload = TsPacket.WriteHeader(packet, 0x101, false, 15, 184, false, 0, false);

        Assert.Equal(0x1F, packet[3]); // payload only, counter 15
        Assert.Equal(184, payload.Length);
        Assert.Equal(0x01, packet[1]);
        Assert.Equal(0x01, packet[2]);
    }

    [Fact]
    public void One_byte_short_is_stuffed_with_an_empty_adaptation_field()
    {
        var packet = new byte[TsPacket.Size];
        var payload = TsPacket.WriteHeader(packet, 0x100, false, 3, 183, false, 0, false);

        Assert.Equal(0x33, packet[3]);
        Assert.Equal(0, packet[4]); // adaptation_field_length 0: just the length byte
        Assert.Equal(183, payload.Length);
    }

    [Fact]
    public void Two_bytes_short_is_stuffed_with_flags_byte_only()
    {
        var packet = new byte[TsPacket.Size];
        var payload = TsPacket.WriteHeader(packet, 0x100, false, 3, 182, false, 0, false);

        Assert.Equal(new byte[] { 1, 0x00 }, packet[4..6]);
        Assert.Equal(182, payload.Length);
    }

    [Fact]
    public void Short_payload_is_stuffed_with_ff_inside_the_adaptation_field_after_the_pcr()
    {
        var packet = new byte[TsPacket.Size];
        packet.AsSpan().Fill(0xAA);
        var payload = TsPacket.WriteHeader(packet, 0x100, true, 0, 10, writePcr: true, pcrBase: 90000, randomAccess: true);
        var parsed = TsReader.Packets(packet).Single();

        Assert.Equal(10, payload.Length);
        Assert.Equal(174, parsed.AdaptationField!.Length);
        Assert.Equal(90000, parsed.PcrBase);
        Assert.True(parsed.RandomAccess);
        Assert.All(parsed.AdaptationField[8..], b => Assert.Equal(0xFF, b));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(185, false)]
    [InlineData(177, true)]
    public void Payload_that_does_not_fit_is_refused(int payloadLength, bool writePcr)
    {
        var packet = new byte[TsPacket.Size];
        Assert.Throws<ArgumentOutOfRangeException>(() => TsPacket.WriteHeader(packet, 0x100, true, 0, payloadLength, writePcr, 0, false));
    }
}
