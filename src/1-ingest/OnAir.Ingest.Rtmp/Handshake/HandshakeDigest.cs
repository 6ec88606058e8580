using System.Security.Cryptography;

namespace OnAir.Ingest.Rtmp.Handshake;

/// <summary>
/// The HMAC-SHA256 digest scheme of the "complex" handshake that Flash Player and Flash-era
/// encoders use (and ffmpeg and librtmp send): a 32-byte digest hidden at an offset inside the
/// 1536-byte C1/S1 blocks. A server that answers with a plain echo is refused by some of them.
/// </summary>
internal static class HandshakeDigest
{
    public const int BlockSize = 1536;
    public const int DigestSize = 32;

    private static readonly byte[] s_keySuffix =
    [
        0xF0, 0xEE, 0xC2, 0x4A, 0x80, 0x68, 0xBE, 0xE8, 0x2E, 0x00, 0xD0, 0xD1, 0x02, 0x9E, 0x7E, 0x57,
        0x6E, 0xEC, 0x5D, 0x2D, 0x29, 0x80, 0x6F, 0xAB, 0x93, 0xB8, 0xE6, 0x36, 0xCF, 0xEB, 0x31, 0xAE,
    ];

    /// <summary>"Genuine Adobe Flash Player 001" + the shared suffix; the first 30 bytes sign client blocks.</summary>
    public static readonly byte[] PlayerKey = [.. "Genuine Adobe Flash Player 001"u8, .. s_keySuffix];

    /// <summary>"Genuine Adobe Flash Media Server 001" + the shared suffix; the first 36 bytes sign server blocks.</summary>
    public static readonly byte[] ServerKey = [.. "Genuine Adobe Flash Media Server 001"u8, .. s_keySuffix];

    public const int PlayerKeyTextLength = 30;
    public const int ServerKeyTextLength = 36;

    /// <summary>The two places a digest may live: after the time+version header (8) or after the key block (772).</summary>
    public static readonly int[] SchemeBases = [8, 772];

    /// <summary>Offset of the digest for a scheme: the four bytes at the base, summed, pick a spot inside a 728-byte window.</summary>
    public static int DigestOffset(ReadOnlySpan<byte> block, int schemeBase) =>
        ((block[schemeBase] + block[schemeBase + 1] + block[schemeBase + 2] + block[schemeBase + 3]) % 728) + schemeBase + 4;

    /// <summary>HMAC-SHA256 over the block with the 32 digest bytes at <paramref name="digestOffset"/> left out.</summary>
    public static void Compute(ReadOnlySpan<byte> block, int digestOffset, ReadOnlySpan<byte> key, Span<byte> digest)
    {
        Span<byte> message = stackalloc byte[BlockSize - DigestSize];
        block[..digestOffset].CopyTo(message);
        block[(digestOffset + DigestSize)..].CopyTo(message[digestOffset..]);
        HMACSHA256.HashData(key, message, digest);
    }

    /// <summary>Finds a valid client digest in C1; returns its offset, or -1 when C1 carries none (a plain handshake).</summary>
    public static int FindClientDigest(ReadOnlySpan<byte> c1)
    {
        Span<byte> expected = stackalloc byte[DigestSize];
        foreach (var schemeBase in SchemeBases)
        {
            var offset = DigestOffset(c1, schemeBase);
            Compute(c1, offset, PlayerKey.AsSpan(0, PlayerKeyTextLength), expected);
            if (expected.SequenceEqual(c1.Slice(offset, DigestSize)))
            {
                return offset;
            }
        }

        return -1;
    }
}
