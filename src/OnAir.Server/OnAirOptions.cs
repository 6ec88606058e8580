using OnAir.Control.Api;
using OnAir.Control.Webhooks;
using OnAir.Edge.Cluster;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Srt;
using OnAir.WebRtc;
using OnAir.Origin;
using OnAir.Packaging;
using OnAir.Recording;
using OnAir.Server.Limits;
using OnAir.Streams;
using OnAir.Transcoding;

namespace OnAir.Server;

/// <summary>
/// Every setting of <c>onair serve</c>. Sources, later ones winning: these defaults, onair.json
/// (or --config FILE), ONAIR_* environment variables, command-line flags. onair.sample.json at
/// the repository root lists every key with its default.
/// </summary>
public sealed class OnAirOptions
{
    /// <summary>RTMP ingest port (--rtmp-port). Default 1935.</summary>
    public int RtmpPort { get; set; } = 1935;

    /// <summary>RTMP over TLS (--rtmps-port), the same RTMP behind Kestrel's TLS. Default 0: off; needs a certificate (<see cref="Rtmps"/>, else <see cref="Tls"/>).</summary>
    public int RtmpsPort { get; set; }

    /// <summary>SRT ingest, UDP, listener mode (--srt-port). Default 8890; 0 turns SRT off.</summary>
    public int SrtPort { get; set; } = 8890;

    /// <summary>WebRTC (WHIP) media, UDP, one socket for all sessions (--webrtc-port). Default 8189; 0 turns WHIP off.</summary>
    public int WebrtcPort { get; set; } = 8189;

    /// <summary>HTTP port for HLS, web UI, API and metrics (--http-port). Default 8080.</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Listen address of every port (--bind). Default 127.0.0.1.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>Segments, recordings and the database live here (--data-dir). Default ./data.</summary>
    public string DataDir { get; set; } = "./data";

    /// <summary>Rendition ladder (--ladder): "default", "passthrough" or a name under <see cref="Ladders"/>. Default "default".</summary>
    public string Ladder { get; set; } = "default";

    /// <summary>Low-Latency HLS parts on media playlists (--ll-hls / --no-ll-hls). Default on.</summary>
    public bool LlHls { get; set; } = true;

    /// <summary>Ladders by name, besides (or replacing) the built-in "default" and "passthrough".</summary>
    public Dictionary<string, LadderOptions> Ladders { get; set; } = new(StringComparer.Ordinal);

    public RtmpOptions Rtmp { get; set; } = new();

    public SrtOptions Srt { get; set; } = new();

    public WebRtcOptions Webrtc { get; set; } = new();

    public HlsOptions Hls { get; set; } = new();

    public StreamsOptions Streams { get; set; } = new();

    public LifecycleOptions Lifecycle { get; set; } = new();

    public OriginOptions Origin { get; set; } = new();

    /// <summary>Timeouts and the per-address connection cap of the HTTP port.</summary>
    public HttpLimitsOptions Http { get; set; } = new();

    public TranscodingOptions Transcode { get; set; } = new();

    public ApiOptions Api { get; set; } = new();

    /// <summary>Recording broadcasts to VOD (--record records every one).</summary>
    public RecordingOptions Recording { get; set; } = new();

    /// <summary>
    /// Share the stream registry with other nodes through this Redis (--redis HOST:PORT, any
    /// StackExchange.Redis configuration string). Default none: this node alone.
    /// </summary>
    public string? Redis { get; set; }

    public ClusterOptions Cluster { get; set; } = new();

    public WebhookOptions Webhooks { get; set; } = new();

    /// <summary>TLS on the HTTP port (HTTPS with HTTP/2). Default off.</summary>
    public TlsOptions Tls { get; set; } = new();

    /// <summary>The certificate of the RTMPS port; when unset, the one under <see cref="Tls"/> (which also turns HTTPS on).</summary>
    public TlsOptions Rtmps { get; set; } = new();

    /// <summary>What the RTMPS port presents: its own certificate, else the HTTP port's; null when neither is set.</summary>
    public TlsOptions? RtmpsCertificate => Rtmps.Enabled ? Rtmps : Tls.Enabled ? Tls : null;
}
