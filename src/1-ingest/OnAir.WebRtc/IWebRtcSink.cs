using OnAir.Media;

namespace OnAir.WebRtc;

/// <summary>
/// Where a <see cref="WebRtcSession"/>'s media goes. Media comes on the endpoint's socket thread:
/// implementations hand off, never block. <see cref="OnClosed"/> may come from any thread, once.
/// </summary>
public interface IWebRtcSink
{
    /// <summary>One H.264 access unit; timestamps are 90 kHz ticks on the session's clock (0 = when the session opened). Consumes the reference.</summary>
    void OnVideo(MediaFrame frame);

    /// <summary>One Opus packet and its presentation time, 90 kHz ticks on the same clock.</summary>
    void OnOpus(ReadOnlySpan<byte> packet, long pts);

    /// <summary>The session ended (<paramref name="reason"/> in words); nothing more comes.</summary>
    void OnClosed(string reason);
}
