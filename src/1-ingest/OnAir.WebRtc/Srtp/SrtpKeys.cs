using System.Security.Cryptography;

namespace OnAir.WebRtc;

/// <summary>
/// Session keys of one direction of SRTP_AES128_CM_HMAC_SHA1_80 (RFC 3711), derived from a master
/// key and salt with the AES-CM key derivation (4.3.1, key derivation rate 0): encryption key, auth
/// key and salt for SRTP (labels 0-2) and for SRTCP (labels 3-5).
/// </summary>
public sealed class SrtpKeys : IDisposable
{
    public const int KeyLength = 16;
    public const int SaltLength = 14;
    public const int AuthKeyLength = 20;

    public SrtpKeys(ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (masterKey.Length != KeyLength || masterSalt.Length != SaltLength)
        {
            throw new ArgumentException("SRTP_AES128_CM_HMAC_SHA1_80 has a 16-byte master key and a 14-byte master salt");
        }

        using var prf = Aes.Create();
        prf.Key = masterKey.ToArray();
        Rtp = new Direction(Derive(prf, masterSalt, 0, KeyLength), Derive(prf, masterSalt, 1, AuthKeyLength), Derive(prf, masterSalt, 2, SaltLength));
        Rtcp = new Direction(Derive(prf, masterSalt, 3, KeyLength), Derive(prf, masterSalt, 4, AuthKeyLength), Derive(prf, masterSalt, 5, SaltLength));
    }

    public Direction Rtp { get; }

    public Direction Rtcp { get; }

    public void Dispose()
    {
        Rtp.Dispose();
        Rtcp.Dispose();
    }

    /// <summary>PRF output for <paramref name="label"/>: AES-CM keystream with IV = (label XOR salt, at byte 7) * 2^16.</summary>
    internal static byte[] Derive(Aes prf, ReadOnlySpan<byte> masterSalt, byte label, int length)
    {
        var blocks = (length + 15) / 16;
        var counters = new byte[blocks * 16];
        for (var b = 0; b < blocks; b++)
        {
            var block = counters.AsSpan(b * 16, 16);
            masterSalt.CopyTo(block);
            block[7] ^= label;
            block[14] = (byte)(b >> 8);
            block[15] = (byte)b;
        }

        var output = prf.EncryptEcb(counters, PaddingMode.None);
        return output.AsSpan(0, length).ToArray();
    }

    /// <summary>One of SRTP's or SRTCP's key sets: an AES-128 key for the keystream, the HMAC-SHA1 key, the salt.</summary>
    public sealed class Direction : IDisposable
    {
        internal Direction(byte[] key, byte[] authKey, byte[] salt)
        {
            Cipher = Aes.Create();
            Cipher.Key = key;
            AuthKey = authKey;
            Salt = salt;
        }

        internal Aes Cipher { get; }

        internal byte[] AuthKey { get; }

        internal byte[] Salt { get; }

        public void Dispose() => Cipher.Dispose();

        /// <summary>XORs <paramref name="data"/> with the AES-CM keystream of IV = salt*2^16 ^ SSRC*2^64 ^ index*2^16 (RFC 3711 4.1.1).</summary>
        internal void Transform(Span<byte> data, uint ssrc, ulong index, byte[] scratch)
        {
            var blocks = (data.Length + 15) / 16;
            var counters = scratch.AsSpan(0, blocks * 16);
            Span<byte> iv = stackalloc byte[16];
            iv.Clear();
            Salt.CopyTo(iv);
            iv[4] ^= (byte)(ssrc >> 24);
            iv[5] ^= (byte)(ssrc >> 16);
            iv[6] ^= (byte)(ssrc >> 8);
            iv[7] ^= (byte)ssrc;
            for (var i = 0; i < 6; i++)
            {
                iv[8 + i] ^= (byte)(index >> (40 - (8 * i)));
            }

            for (var b = 0; b < blocks; b++)
            {
                var block = counters.Slice(b * 16, 16);
                iv.CopyTo(block);
                block[14] = (byte)(b >> 8);
                block[15] = (byte)b;
            }

            var keystream = scratch.AsSpan(blocks * 16, blocks * 16);
            Cipher.EncryptEcb(counters, keystream, PaddingMode.None);
            for (var i = 0; i < data.Length; i++)
            {
                data[i] ^= keystream[i];
            }
        }
    }
}
