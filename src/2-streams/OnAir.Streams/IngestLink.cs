namespace OnAir.Streams;

/// <summary>
/// What an ingest adapter tells the stream about its publisher's connection: the protocol, and the
/// link's health where the protocol measures it (SRT does; RTMP over TCP leaves it to the kernel).
/// </summary>
public interface IIngestLink
{
    /// <summary>"rtmp", "rtmps", "srt", ...</summary>
    string Protocol { get; }

    /// <summary>The latest measurement, or null for a protocol without one. Read from any thread.</summary>
    IngestLinkStats? Stats { get; }
}

/// <summary>A link whose protocol measures nothing beyond what the stream counts itself.</summary>
public sealed record PlainIngestLink(string Protocol) : IIngestLink
{
    public static readonly PlainIngestLink Rtmp = new("rtmp");

    public IngestLinkStats? Stats => null;
}

/// <summary>A publisher link's health as its protocol measures it (SRT: libsrt's statistics).</summary>
/// <param name="RttMs">Smoothed round-trip time.</param>
/// <param name="PacketsReceived">Data packets received, retransmissions included.</param>
/// <param name="PacketsLost">Packets detected missing (each asked for again).</param>
/// <param name="PacketsRetransmitted">Retransmitted packets that arrived.</param>
/// <param name="PacketsDropped">Packets given up on: too late to play, a hole in the media.</param>
/// <param name="ReceiveMbps">Receive rate over the last interval.</param>
/// <param name="LatencyMs">The receive latency (buffer) the link agreed on.</param>
public sealed record IngestLinkStats(double RttMs, long PacketsReceived, long PacketsLost, long PacketsRetransmitted, long PacketsDropped, double ReceiveMbps, int LatencyMs);
