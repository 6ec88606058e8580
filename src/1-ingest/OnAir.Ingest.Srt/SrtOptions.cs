namespace OnAir.Ingest.Srt;

/// <summary>
/// SRT ingest, bound under <c>srt</c> in onair.json (the port is <c>srtPort</c>, --srt-port). Each
/// limit bounds what one caller can make the server do; breaking one closes that connection with a
/// logged reason.
/// </summary>
public sealed class SrtOptions
{
    /// <summary>Receive latency in milliseconds (SRTO_LATENCY): how long lost packets may take to be sent again. Default 120, SRT's; raise it on long or lossy links (3-4 × the RTT).</summary>
    public int LatencyMilliseconds { get; set; } = 120;

    /// <summary>Encryption passphrase (10 to 79 characters); callers must use the same. Default none: unencrypted.</summary>
    public string? Passphrase { get; set; }

    /// <summary>SRT connections at once; more are refused at the handshake (SRT_REJX_OVERLOAD). Default 100.</summary>
    public int MaxConnections { get; set; } = 100;

    /// <summary>Seconds a connected caller may send no media before it is closed (also libsrt's peer idle timeout). Default 15, as RTMP's.</summary>
    public double IdleTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// How long messages may gather in libsrt before the SRT thread reads them, milliseconds: one wake
    /// reads many messages of every connection instead of one each (a 2.5 Mbit/s stream is 250 messages
    /// a second). The cost is up to this much ingest delay. Default 20, as RTMP's; 0 reads as they arrive.
    /// </summary>
    public int ReceiveBatchMilliseconds { get; set; } = 20;

    /// <summary>The application path segment before the key in a stream id (live/KEY), as RTMP's app. Default "live".</summary>
    public string App { get; set; } = "live";
}
