using System.Security.Cryptography;
using OnAir.Ingest.Rtmp.Handshake;
using Xunit;

namespace OnAir.Ingest.Rtmp.Tests.Handshake;

public class HandshakeResponderTests
{
    [Fact]
    public void The_digest_C1_that_ffmpeg_sent_gets_a_digest_answer_the_client_can_verify()
    {
        var c0c1 = CapturedPublish.Bytes.AsSpan(0, HandshakeResponder.C0C1Length).ToArray();
        var clientDigestOffset = HandshakeDigest.FindClientDigest(c0c1.AsSpan(1));
        Assert.True(clientDigestOffset > 0, "ffmpeg's C1 carries a player digest");

        var response = new byte[HandshakeResponder.ResponseLength];
        Assert.True(HandshakeResponder.WriteResponse(c0c1, response));

        var s1 = response.AsSpan(1, 1536);
        var s2 = response.AsSpan(1537, 1536);
        Assert.Equal(3, response[0]);

        // S1 carries a server digest at the scheme the client used, signed with the server key text.
        var schemeBase = clientDigestOffset < 772 ? 8 : 772;
        var offset = HandshakeDigest.DigestOffset(s1, schemeBase);
        var expected = new byte[32];
        var withoutDigest = s1[..offset].ToArray().Concat(s1[(offset + 32)..].ToArray()).ToArray();
        HMACSHA256.HashData(HandshakeDigest.ServerKey.AsSpan(0, 36), withoutDigest, expected);
        Assert.Equal(expected, s1.Slice(offset, 32).ToArray());

        // S2's last 32 bytes: HMAC(HMAC(full server key, client digest), S2 without them).
        var key = HMACSHA256.HashData(HandshakeDigest.ServerKey, c0c1.AsSpan(1 + clientDigestOffset, 32));
        Assert.Equal(HMACSHA256.HashData(key, s2[..^32]), s2[^32..].ToArray());
    }

    [Fact]
    public void A_plain_C1_gets_its_bytes_echoed_in_S2()
    {
        var c0c1 = new byte[HandshakeResponder.C0C1Length];
        RandomNumberGenerator.Fill(c0c1);
        c0c1[0] = 3;
        Array.Clear(c0c1, 5, 4); // version 0: the plain handshake

        var response = new byte[HandshakeResponder.ResponseLength];
        Assert.False(HandshakeResponder.WriteResponse(c0c1, response));
        Assert.Equal(c0c1.AsSpan(1).ToArray(), response.AsSpan(1537).ToArray());
    }

    [Fact]
    public void A_C1_with_a_version_but_no_valid_digest_falls_back_to_the_plain_echo()
    {
        var c0c1 = new byte[HandshakeResponder.C0C1Length];
        RandomNumberGenerator.Fill(c0c1);
        c0c1[0] = 3;
        c0c1[5] = 9;

        var response = new byte[HandshakeResponder.ResponseLength];
        Assert.False(HandshakeResponder.WriteResponse(c0c1, response));
        Assert.Equal(c0c1.AsSpan(1).ToArray(), response.AsSpan(1537).ToArray());
    }

    [Theory]
    [InlineData(6)] // RTMPE
    [InlineData((byte)'G')] // an HTTP request on the RTMP port
    public void A_C0_that_is_not_RTMP_3_is_refused_with_a_reason(byte version)
    {
        var c0c1 = new byte[HandshakeResponder.C0C1Length];
        c0c1[0] = version;
        var error = Assert.Throws<RtmpProtocolException>(() => HandshakeResponder.WriteResponse(c0c1, new byte[HandshakeResponder.ResponseLength]));
        Assert.Contains("not RTMP 3", error.Message);
    }
}
