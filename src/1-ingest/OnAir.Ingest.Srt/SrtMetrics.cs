using System.Diagnostics.Metrics;

namespace OnAir.Ingest.Srt;

/// <summary>SRT ingest's instruments (meter <c>OnAir.Srt</c>): connections, bytes, and the link counters libsrt keeps per connection, summed.</summary>
public sealed class SrtMetrics
{
    public const string MeterName = "OnAir.Srt";

    private long _connections;
    private long _rejected;
    private long _bytes;
    private long _lost;
    private long _retransmitted;
    private long _dropped;

    public SrtMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("onair.srt.connections", () => Interlocked.Read(ref _connections), "{connection}", "Open SRT connections");
        meter.CreateObservableCounter("onair.srt.rejected", () => Interlocked.Read(ref _rejected), "{connection}", "SRT callers rejected at the handshake or refused at publish");
        meter.CreateObservableCounter("onair.srt.received", () => Interlocked.Read(ref _bytes), "By", "Bytes received from SRT publishers");
        meter.CreateObservableCounter("onair.srt.packets.lost", () => Interlocked.Read(ref _lost), "{packet}", "SRT packets found missing (each asked for again)");
        meter.CreateObservableCounter("onair.srt.packets.retransmitted", () => Interlocked.Read(ref _retransmitted), "{packet}", "SRT packets that arrived as retransmissions");
        meter.CreateObservableCounter("onair.srt.packets.dropped", () => Interlocked.Read(ref _dropped), "{packet}", "SRT packets given up on as too late: holes in the media");
    }

    internal void Opened() => Interlocked.Increment(ref _connections);

    internal void Closed() => Interlocked.Decrement(ref _connections);

    internal void Rejected() => Interlocked.Increment(ref _rejected);

    internal void Received(long bytes) => Interlocked.Add(ref _bytes, bytes);

    /// <summary>What one connection's counters grew by since its last sample.</summary>
    internal void LinkGrew(long lost, long retransmitted, long dropped)
    {
        Interlocked.Add(ref _lost, lost);
        Interlocked.Add(ref _retransmitted, retransmitted);
        Interlocked.Add(ref _dropped, dropped);
    }
}
