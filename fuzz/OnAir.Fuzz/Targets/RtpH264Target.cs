using OnAir.Media;
using OnAir.WebRtc.Rtp;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// RTP packets of an H.264 track after SRTP, depacketised into access units (single NAL, STAP-A,
/// FU-A, parameter sets): each packet is [length: 2 bytes][packet], and a length's top bit marks a loss before it.
/// </summary>
internal sealed class RtpH264Target : IFuzzTarget
{
    public static string Name => "rtp-h264";

    public static IEnumerable<byte[]> Seeds()
    {
        // An SPS, a PPS, an IDR in two FU-A fragments: the shapes a browser sends.
        byte[] header(ushort sequence, bool marker) => [0x80, (byte)(marker ? 0xE6 : 0x66), (byte)(sequence >> 8), (byte)sequence, 0, 0, 0x0B, 0xB8, 1, 2, 3, 4];
        byte[][] packets =
        [
            [.. header(1, false), 0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x01, 0x40, 0x16, 0xE8, 0x06, 0xD0, 0xA1, 0x35],
            [.. header(2, false), 0x68, 0xCE, 0x06, 0xE2],
            [.. header(3, false), 0x7C, 0x85, .. Enumerable.Range(0, 64).Select(i => (byte)i)],
            [.. header(4, true), 0x7C, 0x45, .. Enumerable.Range(0, 64).Select(i => (byte)(255 - i))],
        ];
        yield return [.. packets.SelectMany(p => (byte[])[(byte)(p.Length >> 8), (byte)p.Length, .. p])];
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var depacketizer = new H264Depacketizer();
        try
        {
            for (var at = 0; at + 2 <= input.Length;)
            {
                var word = (input[at] << 8) | input[at + 1];
                var length = Math.Min(word & 0x7FFF, input.Length - at - 2);
                var packet = input.Slice(at + 2, length);
                at += 2 + length;
                if (RtpPacket.TryParse(packet, out var rtp))
                {
                    depacketizer.Push(rtp.Payload, rtp.Timestamp, rtp.Marker, lossBefore: (word & 0x8000) != 0)?.Release();
                }
            }
        }
        catch (InvalidMediaException)
        {
            // the session is closed with its reason
        }
    }
}
