using System.Diagnostics.Metrics;

namespace OnAir.Ingest.Whip;

/// <summary>WHIP ingest's instruments (meter <c>OnAir.Whip</c>): sessions, refusals, and what the network cost them.</summary>
public sealed class WhipMetrics
{
    public const string MeterName = "OnAir.Whip";

    private long _sessions;
    private long _refused;
    private long _lost;
    private long _dropped;

    public WhipMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("onair.whip.sessions", () => Interlocked.Read(ref _sessions), "{session}", "Open WHIP sessions");
        meter.CreateObservableCounter("onair.whip.refused", () => Interlocked.Read(ref _refused), "{request}", "WHIP publishes refused (auth, offer, codecs, limits)");
        meter.CreateObservableCounter("onair.whip.packets.lost", () => Interlocked.Read(ref _lost), "{packet}", "Video RTP packets that never arrived, even after NACK, in ended sessions");
        meter.CreateObservableCounter("onair.whip.frames.dropped", () => Interlocked.Read(ref _dropped), "{frame}", "Video frames dropped after a loss until the next keyframe, in ended sessions");
    }

    internal void Opened() => Interlocked.Increment(ref _sessions);

    internal void Refused() => Interlocked.Increment(ref _refused);

    internal void Closed(long lostPackets, long droppedFrames)
    {
        Interlocked.Decrement(ref _sessions);
        Interlocked.Add(ref _lost, lostPackets);
        Interlocked.Add(ref _dropped, droppedFrames);
    }
}
