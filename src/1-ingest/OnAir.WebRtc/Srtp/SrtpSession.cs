using System.Buffers.Binary;
using System.Security.Cryptography;

namespace OnAir.WebRtc;

/// <summary>
/// SRTP_AES128_CM_HMAC_SHA1_80 for a receive-only peer: unprotects the peer's SRTP packets (RFC 3711
/// 3.3, with the rollover counter of each SSRC estimated as in appendix A) and protects the SRTCP
/// feedback sent back (receiver reports, NACK, PLI). Used by one thread.
/// </summary>
public sealed class SrtpSession : IDisposable
{
    public const int AuthTagLength = 10;

    /// <summary>The largest SRTP packet handled: a UDP datagram under a 1500-byte MTU.</summary>
    public const int MaxPacket = 1500;

    private readonly SrtpKeys _receive;
    private readonly SrtpKeys _send;
    private readonly Dictionary<uint, (uint Roc, ushort Highest)> _rollover = [];
    private readonly byte[] _scratch = new byte[2 * (MaxPacket + 16)];
    private readonly byte[] _tag = new byte[20];
    private readonly IncrementalHash _receiveRtpAuth;
    private readonly IncrementalHash _sendRtcpAuth;
    private uint _srtcpIndex;

    /// <param name="receive">The peer's keys (the DTLS client's: the browser's).</param>
    /// <param name="send">Ours.</param>
    public SrtpSession(SrtpKeys receive, SrtpKeys send)
    {
        _receive = receive;
        _send = send;
        _receiveRtpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, receive.Rtp.AuthKey); // reused: one per packet would allocate
        _sendRtcpAuth = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, send.Rtcp.AuthKey);
    }

    /// <summary>From DTLS-SRTP's exported keying material, we being the DTLS server (RFC 5764 4.2).</summary>
    public static SrtpSession FromDtlsServer(ReadOnlySpan<byte> material)
    {
        const int k = SrtpKeys.KeyLength, s = SrtpKeys.SaltLength;
        var client = new SrtpKeys(material[..k], material.Slice(2 * k, s));
        var server = new SrtpKeys(material.Slice(k, k), material.Slice((2 * k) + s, s));
        return new SrtpSession(client, server);
    }

    /// <summary>Checks and decrypts an SRTP packet in place: the length of the RTP packet left (header and payload), or -1 when it does not authenticate.</summary>
    public int UnprotectRtp(Span<byte> packet)
    {
        if (packet.Length < 12 + AuthTagLength || packet.Length > MaxPacket || !RtpHeaderLength(packet[..^AuthTagLength], out var headerLength))
        {
            return -1;
        }

        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[8..]);
        var sequence = BinaryPrimitives.ReadUInt16BigEndian(packet[2..]);
        var known = _rollover.TryGetValue(ssrc, out var state);
        var (roc, highest) = known ? state : (0u, sequence);
        var guess = roc;
        if (known)
        {
            if (highest < 32768)
            {
                guess = sequence - highest > 32768 ? roc - 1 : roc;
            }
            else if (highest - 32768 > sequence)
            {
                guess = roc + 1;
            }
        }

        var authenticated = packet[..^AuthTagLength];
        Span<byte> rocBytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rocBytes, guess);
        if (!TagMatches(authenticated, rocBytes, packet[^AuthTagLength..]))
        {
            return -1;
        }

        var index = ((ulong)guess << 16) | sequence;
        _receive.Rtp.Transform(authenticated[headerLength..], ssrc, index, _scratch);
        if (!known || guess == roc + 1)
        {
            _rollover[ssrc] = (guess, sequence);
        }
        else if (guess == roc && sequence > highest)
        {
            _rollover[ssrc] = (roc, sequence);
        }

        return authenticated.Length;
    }

    /// <summary>Encrypts an RTCP compound packet for sending: <paramref name="rtcp"/> into <paramref name="destination"/>; the SRTCP length.</summary>
    public int ProtectRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination)
    {
        var index = _srtcpIndex++ & 0x7FFFFFFF;
        rtcp.CopyTo(destination);
        var ssrc = BinaryPrimitives.ReadUInt32BigEndian(rtcp[4..]);
        _send.Rtcp.Transform(destination[8..rtcp.Length], ssrc, index, _scratch);
        BinaryPrimitives.WriteUInt32BigEndian(destination[rtcp.Length..], 0x80000000 | index); // E: encrypted
        var authenticated = destination[..(rtcp.Length + 4)];
        _sendRtcpAuth.AppendData(authenticated);
        _sendRtcpAuth.GetHashAndReset(_tag);
        _tag.AsSpan(0, AuthTagLength).CopyTo(destination[authenticated.Length..]);
        return authenticated.Length + AuthTagLength;
    }

    public void Dispose()
    {
        _receive.Dispose();
        _send.Dispose();
        _receiveRtpAuth.Dispose();
        _sendRtcpAuth.Dispose();
    }

    /// <summary>The RTP header's length: fixed part, CSRCs, header extension.</summary>
    internal static bool RtpHeaderLength(ReadOnlySpan<byte> packet, out int length)
    {
        length = 12 + (4 * (packet[0] & 0x0F));
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + 4)
            {
                return false;
            }

            length += 4 + (4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]));
        }

        return packet.Length >= length && (packet[0] >> 6) == 2;
    }

    private bool TagMatches(ReadOnlySpan<byte> authenticated, ReadOnlySpan<byte> roc, ReadOnlySpan<byte> tag)
    {
        _receiveRtpAuth.AppendData(authenticated);
        _receiveRtpAuth.AppendData(roc);
        _receiveRtpAuth.GetHashAndReset(_tag);
        return CryptographicOperations.FixedTimeEquals(_tag.AsSpan(0, AuthTagLength), tag);
    }
}
