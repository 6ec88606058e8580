using System.Buffers.Binary;

namespace OnAir.WebRtc.Rtp;

/// <summary>An RTP packet's fixed header fields (RFC 3550 5.1) and where its payload is, padding removed.</summary>
public readonly ref struct RtpPacket
{
    private RtpPacket(ReadOnlySpan<byte> payload, bool marker, int payloadType, ushort sequence, uint timestamp, uint ssrc)
    {
        Payload = payload;
        Marker = marker;
        PayloadType = payloadType;
        Sequence = sequence;
        Timestamp = timestamp;
        Ssrc = ssrc;
    }

    public ReadOnlySpan<byte> Payload { get; }

    public bool Marker { get; }

    public int PayloadType { get; }

    public ushort Sequence { get; }

    public uint Timestamp { get; }

    public uint Ssrc { get; }

    /// <summary>RFC 7983 (and RFC 5761 for rtcp-mux): RTP or RTCP when the first byte is 128-191; RTCP when the payload type byte is 192-223.</summary>
    public static bool LooksLikeRtcp(ReadOnlySpan<byte> datagram) => datagram.Length >= 2 && datagram[1] is >= 192 and <= 223;

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpPacket parsed)
    {
        parsed = default;
        if (packet.Length < 12 || !SrtpSession.RtpHeaderLength(packet, out var headerLength))
        {
            return false;
        }

        var end = packet.Length;
        if ((packet[0] & 0x20) != 0)
        {
            var padding = packet[^1];
            if (padding == 0 || padding > end - headerLength)
            {
                return false;
            }

            end -= padding;
        }

        parsed = new RtpPacket(
            packet[headerLength..end],
            (packet[1] & 0x80) != 0,
            packet[1] & 0x7F,
            BinaryPrimitives.ReadUInt16BigEndian(packet[2..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(packet[8..]));
        return true;
    }
}
