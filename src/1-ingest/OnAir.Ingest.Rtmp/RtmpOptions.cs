namespace OnAir.Ingest.Rtmp;

/// <summary>
/// RTMP ingest limits. Each one bounds what a single peer can make the server do; breaking one
/// closes that connection with a logged reason. Bound under <c>rtmp</c> in onair.json.
/// </summary>
public sealed class RtmpOptions
{
    /// <summary>The RTMP application publishers connect to: rtmp://HOST:PORT/APP/STREAM_KEY. Default "live".</summary>
    public string App { get; set; } = "live";

    /// <summary>Largest chunk size a peer may set. Default 16 MiB: payloads are streamed, so large chunks cost no memory, but 0x7FFFFFFF-style values are refused as nonsense.</summary>
    public int MaxChunkSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest message (one video frame, one command). Default 8 MiB: several times a 4K keyframe.</summary>
    public int MaxMessageSize { get; set; } = 8 * 1024 * 1024;

    /// <summary>Chunk streams one connection may use at once. Default 64; encoders use fewer than 10.</summary>
    public int MaxChunkStreams { get; set; } = 64;

    /// <summary>Deepest AMF0 nesting accepted in commands and metadata. Default 16; real metadata nests 2 levels.</summary>
    public int MaxAmfDepth { get; set; } = 16;

    /// <summary>Seconds a peer has to complete the handshake. Default 10.</summary>
    public double HandshakeTimeoutSeconds { get; set; } = 10;

    /// <summary>Seconds without any byte from a connected peer before it is considered stalled and closed. Default 15 (a live encoder sends every frame interval).</summary>
    public double IdleTimeoutSeconds { get; set; } = 15;

    /// <summary>
    /// Connections one remote address may hold open on the RTMP and RTMPS ports together; more are
    /// closed at once. Default 100 (an encoder farm or restreamer behind one address publishes many
    /// streams); 0: no cap.
    /// </summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>Chunk size OnAir uses for what it sends. Default 4096, as nginx-rtmp.</summary>
    public int OutgoingChunkSize { get; set; } = 4096;

    /// <summary>Window acknowledgement size announced to peers (bytes between their acks). Default 5,000,000, as nginx-rtmp and SRS.</summary>
    public int WindowAckSize { get; set; } = 5_000_000;

    /// <summary>
    /// How long a publisher's bytes may gather in the kernel before they are read, milliseconds (SO_RCVLOWAT,
    /// following the stream's bitrate). Fewer, larger reads halve the CPU of a passthrough stream; the cost is
    /// up to this much ingest delay. Default 20; 0 reads every TCP segment as it arrives.
    /// </summary>
    public int ReceiveBatchMilliseconds { get; set; } = 20;

    public TimeSpan HandshakeTimeout => TimeSpan.FromSeconds(HandshakeTimeoutSeconds);

    public TimeSpan IdleTimeout => TimeSpan.FromSeconds(IdleTimeoutSeconds);
}
