using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Handshake;

namespace OnAir.Fuzz.Targets;

/// <summary>The server's answer to a client's C0+C1 (version, the digest scheme's offsets).</summary>
internal sealed class RtmpHandshakeTarget : IFuzzTarget
{
    public static string Name => "rtmp-handshake";

    public static IEnumerable<byte[]> Seeds() => [Vectors.Read("ffmpeg-publish.rtmp")[..HandshakeResponder.C0C1Length]];

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        Span<byte> c0c1 = stackalloc byte[HandshakeResponder.C0C1Length];
        input[..Math.Min(input.Length, c0c1.Length)].CopyTo(c0c1);
        Span<byte> response = stackalloc byte[HandshakeResponder.ResponseLength];
        try
        {
            HandshakeResponder.WriteResponse(c0c1, response);
        }
        catch (RtmpProtocolException)
        {
            // not RTMP 3: the connection is closed with the reason
        }
    }
}
