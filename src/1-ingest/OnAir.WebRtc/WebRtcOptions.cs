namespace OnAir.WebRtc;

/// <summary>WebRTC (WHIP) ingest, bound under <c>webrtc</c> in onair.json; the UDP port is <c>webrtcPort</c> (--webrtc-port).</summary>
public sealed class WebRtcOptions
{
    /// <summary>The address put in the answer's host candidate. Default: the bind address (127.0.0.1 when binding 0.0.0.0 or ::); set it to the address publishers reach the server at.</summary>
    public string? CandidateAddress { get; set; }

    /// <summary>Seconds a new session has to finish ICE and DTLS. Default 15.</summary>
    public double ConnectTimeoutSeconds { get; set; } = 15;

    /// <summary>Seconds without a packet from a connected peer before its session ends. Default 10.</summary>
    public double IdleTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds between keyframe requests (PLI): WebRTC encoders send keyframes only when asked, and segments are cut at keyframes. Default 2, the segment target.</summary>
    public double KeyFrameIntervalSeconds { get; set; } = 2;

    /// <summary>WHIP sessions at once; more are refused with 503. Default 50.</summary>
    public int MaxSessions { get; set; } = 50;

    public TimeSpan ConnectTimeout => TimeSpan.FromSeconds(ConnectTimeoutSeconds);

    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(IdleTimeoutSeconds);

    public TimeSpan KeyFrameInterval => TimeSpan.FromSeconds(KeyFrameIntervalSeconds);
}
