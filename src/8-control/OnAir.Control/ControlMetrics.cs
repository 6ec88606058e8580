using System.Diagnostics.Metrics;
using OnAir.Origin.Viewers;
using OnAir.Streams;

namespace OnAir.Control;

/// <summary>Viewers per stream (meter <c>OnAir.Viewers</c>), observed from the origin's counts when metrics are collected.</summary>
public sealed class ControlMetrics
{
    public const string MeterName = "OnAir.Viewers";

    public ControlMetrics(IMeterFactory meterFactory, StreamRegistry registry, ViewerTracker viewers)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge(
            "onair.viewers",
            () => registry.Streams.Select(s => new Measurement<int>(viewers.Count(s.Name).Total, new KeyValuePair<string, object?>("stream", s.Name))),
            "{viewer}",
            "Distinct viewers (address + user agent) seen within origin.viewerTimeoutSeconds, per stream");
    }
}
