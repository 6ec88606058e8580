using System.Diagnostics.Metrics;

namespace OnAir.Ingest.Rtmp;

/// <summary>RTMP ingest's instruments (meter <c>OnAir.Rtmp</c>): open connections and bytes received.</summary>
public sealed class RtmpMetrics
{
    public const string MeterName = "OnAir.Rtmp";

    private long _bytes;
    private long _connections;

    public RtmpMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("onair.rtmp.received", () => Interlocked.Read(ref _bytes), "By", "Bytes received from RTMP clients");
        meter.CreateObservableUpDownCounter("onair.rtmp.connections", () => Interlocked.Read(ref _connections), "{connection}", "Open RTMP connections");
    }

    internal void Received(long bytes) => Interlocked.Add(ref _bytes, bytes);

    internal void Opened() => Interlocked.Increment(ref _connections);

    internal void Closed() => Interlocked.Decrement(ref _connections);
}
