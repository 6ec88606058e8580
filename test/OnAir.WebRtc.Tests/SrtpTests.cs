using System.Buffers.Binary;
using System.Security.Cryptography;

#pragma warning disable CA5350 // SRTP_AES128_CM_HMAC_SHA1_80 is HMAC-SHA1 by definition

namespace OnAir.WebRtc.Tests;

public class SrtpTests
{
    /// <summary>RFC 3711 appendix B.3, the key derivation test vectors.</summary>
    [Fact]
    public void Session_keys_derive_as_RFC_3711_B3_says()
    {
        using var prf = Aes.Create();
        prf.Key = Convert.FromHexString("E1F97A0D3E018BE0D64FA32C06DE4139");
        var salt = Convert.FromHexString("0EC675AD498AFEEBB6960B3AABE6");
        Assert.Equal("C61E7A93744F39EE10734AFE3FF7A087", Convert.ToHexString(SrtpKeys.Derive(prf, salt, 0, 16)));
        Assert.Equal("30CBBC08863D8C85D49DB34A9AE1", Convert.ToHexString(SrtpKeys.Derive(prf, salt, 2, 14)));
        Assert.StartsWith("CEBE321F6FF7716B6FD4AB49AF256A15", Convert.ToHexString(SrtpKeys.Derive(prf, salt, 1, 20)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_packet_protected_by_the_peer_unprotects_and_a_tampered_one_does_not()
    {
        var material = RandomNumberGenerator.GetBytes(60);
        using var server = SrtpSession.FromDtlsServer(material);
        using var client = ClientOf(material);
        var payload = RandomNumberGenerator.GetBytes(900);
        foreach (var sequence in new ushort[] { 65534, 65535, 0, 1 }) // across a rollover
        {
            var packet = Rtp(sequence, payload);
            var protectedPacket = client.Protect(packet, roc: sequence >= 65534 ? 0u : 1u);
            var tampered = (byte[])protectedPacket.Clone();
            tampered[40] ^= 0x10;
            Assert.Equal(-1, server.UnprotectRtp(tampered));
            var length = server.UnprotectRtp(protectedPacket);
            Assert.Equal(packet, protectedPacket.AsSpan(0, length).ToArray());
        }
    }

    [Fact]
    public void Feedback_we_protect_unprotects_with_the_peers_view_of_our_keys()
    {
        var material = RandomNumberGenerator.GetBytes(60);
        using var server = SrtpSession.FromDtlsServer(material);
        using var client = ClientOf(material);
        var rtcp = new byte[12];
        OnAir.WebRtc.Rtp.RtcpWriter.PictureLoss(rtcp, 0x11111111, 0x22222222);
        var output = new byte[64];
        var length = server.ProtectRtcp(rtcp, output);
        Assert.Equal(12 + 4 + 10, length);
        Assert.Equal(rtcp, client.UnprotectRtcp(output.AsSpan(0, length)));
    }

    private static byte[] Rtp(ushort sequence, byte[] payload)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = 102;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 90000);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0xCAFEBABE);
        payload.CopyTo(packet, 12);
        return packet;
    }

    /// <summary>
    /// The browser's side, written from RFC 3711 independently of SrtpSession's code paths: AES-CTR by
    /// hand over the session keys, HMAC-SHA1-80 with the ROC.
    /// </summary>
    private static Peer ClientOf(byte[] material) => new(new SrtpKeys(material.AsSpan(0, 16), material.AsSpan(32, 14)), new SrtpKeys(material.AsSpan(16, 16), material.AsSpan(46, 14)));

    private sealed class Peer(SrtpKeys own, SrtpKeys server) : IDisposable
    {
        public byte[] Protect(byte[] rtp, uint roc)
        {
            var ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtp.AsSpan(8));
            var index = ((ulong)roc << 16) | BinaryPrimitives.ReadUInt16BigEndian(rtp.AsSpan(2));
            var output = new byte[rtp.Length + 10];
            rtp.CopyTo(output, 0);
            Ctr(own.Rtp, output.AsSpan(12, rtp.Length - 12), ssrc, index);
            var rocBytes = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(rocBytes, roc);
            var tag = HMACSHA1.HashData(own.Rtp.AuthKey, (byte[])[.. output.AsSpan(0, rtp.Length), .. rocBytes]);
            tag.AsSpan(0, 10).CopyTo(output.AsSpan(rtp.Length));
            return output;
        }

        public byte[] UnprotectRtcp(ReadOnlySpan<byte> srtcp)
        {
            var authenticated = srtcp[..^10];
            Assert.Equal(srtcp[^10..].ToArray(), HMACSHA1.HashData(server.Rtcp.AuthKey, authenticated).AsSpan(0, 10).ToArray());
            var index = BinaryPrimitives.ReadUInt32BigEndian(authenticated[^4..]);
            Assert.True((index & 0x80000000) != 0, "E flag");
            var rtcp = authenticated[..^4].ToArray();
            Ctr(server.Rtcp, rtcp.AsSpan(8), BinaryPrimitives.ReadUInt32BigEndian(rtcp.AsSpan(4)), index & 0x7FFFFFFF);
            return rtcp;
        }

        public void Dispose()
        {
            own.Dispose();
            server.Dispose();
        }

        private static void Ctr(SrtpKeys.Direction keys, Span<byte> data, uint ssrc, ulong index)
        {
            // IV = salt * 2^16 XOR SSRC * 2^64 XOR index * 2^16, as big integers.
            var iv = new System.Numerics.BigInteger(keys.Salt, isUnsigned: true, isBigEndian: true) << 16;
            iv ^= (System.Numerics.BigInteger)ssrc << 64;
            iv ^= (System.Numerics.BigInteger)index << 16;
            for (var block = 0; block * 16 < data.Length; block++)
            {
                var counter = (iv + block).ToByteArray(isUnsigned: true, isBigEndian: true);
                var input = new byte[16];
                counter.CopyTo(input, 16 - counter.Length);
                var stream = keys.Cipher.EncryptEcb(input, PaddingMode.None);
                for (var i = 0; i < 16 && (block * 16) + i < data.Length; i++)
                {
                    data[(block * 16) + i] ^= stream[i];
                }
            }
        }
    }
}
