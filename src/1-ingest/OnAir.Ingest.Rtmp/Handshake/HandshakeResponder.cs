using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OnAir.Ingest.Rtmp.Handshake;

/// <summary>
/// Server side of the RTMP handshake (RTMP spec section 5.2): reads C0+C1, answers S0+S1+S2, then
/// reads C2. Answers the digest ("complex") form when C1 carries a valid digest, the plain echo otherwise.
/// </summary>
internal static class HandshakeResponder
{
    public const byte RtmpVersion = 3;
    public const int C0C1Length = 1 + HandshakeDigest.BlockSize;
    public const int C2Length = HandshakeDigest.BlockSize;
    public const int ResponseLength = 1 + 2 * HandshakeDigest.BlockSize;

    /// <summary>Version OnAir claims in S1 when answering the digest form (FMS 4.5.x style, non-zero signals "complex").</summary>
    private static readonly byte[] s_serverVersion = [0x04, 0x05, 0x00, 0x01];

    /// <summary>Builds S0+S1+S2 for a C0+C1 of exactly <see cref="C0C1Length"/> bytes. Returns whether the digest form was used.</summary>
    /// <exception cref="RtmpProtocolException">C0 names a version other than 3 (e.g. encrypted RTMPE, or not RTMP at all).</exception>
    public static bool WriteResponse(ReadOnlySpan<byte> c0c1, Span<byte> response)
    {
        if (c0c1[0] != RtmpVersion)
        {
            throw new RtmpProtocolException($"handshake version {c0c1[0]} is not RTMP 3 (not an RTMP client, or encrypted RTMPE which OnAir does not serve).");
        }

        var c1 = c0c1[1..];
        response[0] = RtmpVersion;
        var s1 = response.Slice(1, HandshakeDigest.BlockSize);
        var s2 = response.Slice(1 + HandshakeDigest.BlockSize, HandshakeDigest.BlockSize);

        var clientVersion = BinaryPrimitives.ReadUInt32BigEndian(c1[4..]);
        var clientDigestOffset = clientVersion == 0 ? -1 : HandshakeDigest.FindClientDigest(c1);
        if (clientDigestOffset < 0)
        {
            // Plain handshake: S1 = time 0, zero, random; S2 = echo of C1.
            s1[..8].Clear();
            RandomNumberGenerator.Fill(s1[8..]);
            c1.CopyTo(s2);
            return false;
        }

        WriteDigestS1(s1, clientDigestOffset);
        WriteDigestS2(c1.Slice(clientDigestOffset, HandshakeDigest.DigestSize), s2);
        return true;
    }

    private static void WriteDigestS1(Span<byte> s1, int clientDigestOffset)
    {
        RandomNumberGenerator.Fill(s1);
        s1[..4].Clear();
        s_serverVersion.CopyTo(s1[4..]);

        // Same scheme as the client used: digest offset derived from the scheme's base bytes.
        var schemeBase = clientDigestOffset < 772 ? 8 : 772;
        var offset = HandshakeDigest.DigestOffset(s1, schemeBase);
        Span<byte> digest = stackalloc byte[HandshakeDigest.DigestSize];
        HandshakeDigest.Compute(s1, offset, HandshakeDigest.ServerKey.AsSpan(0, HandshakeDigest.ServerKeyTextLength), digest);
        digest.CopyTo(s1[offset..]);
    }

    private static void WriteDigestS2(ReadOnlySpan<byte> clientDigest, Span<byte> s2)
    {
        RandomNumberGenerator.Fill(s2);
        Span<byte> key = stackalloc byte[HandshakeDigest.DigestSize];
        HMACSHA256.HashData(HandshakeDigest.ServerKey, clientDigest, key);
        var signed = s2[..^HandshakeDigest.DigestSize];
        HMACSHA256.HashData(key, signed, s2[^HandshakeDigest.DigestSize..]);
    }
}
