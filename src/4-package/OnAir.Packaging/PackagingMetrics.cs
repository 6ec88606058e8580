using System.Diagnostics.Metrics;

namespace OnAir.Packaging;

/// <summary>HLS packaging's instruments (meter <c>OnAir.Hls</c>): segments listed (media or gap), and how late a segment or an LL-HLS part is listed after its last frame arrived.</summary>
public sealed class PackagingMetrics
{
    public const string MeterName = "OnAir.Hls";

    private readonly Histogram<double> _publishDelay;
    private readonly Histogram<double> _partPublishDelay;
    private long _mediaSegments;
    private long _gapSegments;

    public PackagingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _publishDelay = meter.CreateHistogram(
            "onair.hls.segment_publish_delay",
            "s",
            "From the arrival of the source frame that closed a segment to the playlist that lists it",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });
        _partPublishDelay = meter.CreateHistogram(
            "onair.hls.part_publish_delay",
            "s",
            "From the arrival of an LL-HLS part's last frame to the playlist that lists the part",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25] });
        meter.CreateObservableCounter<long>(
            "onair.hls.segments",
            () => (IEnumerable<Measurement<long>>)[new Measurement<long>(Interlocked.Read(ref _mediaSegments), new KeyValuePair<string, object?>("kind", "media")), new Measurement<long>(Interlocked.Read(ref _gapSegments), new KeyValuePair<string, object?>("kind", "gap"))],
            "{segment}",
            "Segments listed in media playlists, by kind (media, gap)");
    }

    internal void SegmentListed(bool gap) => Interlocked.Increment(ref gap ? ref _gapSegments : ref _mediaSegments);

    internal void PublishDelay(TimeSpan delay) => _publishDelay.Record(delay.TotalSeconds);

    internal void PartPublishDelay(TimeSpan delay) => _partPublishDelay.Record(delay.TotalSeconds);
}
