using System.Diagnostics.Metrics;
using OnAir.Streams;

namespace OnAir.Transcoding;

/// <summary>
/// The transcoder's deadline figures per stream (meter <c>OnAir.Transcode</c>), observed from each
/// stream's <see cref="TranscoderStatus"/> when metrics are collected: state, speed, lag (all rungs
/// and each), queued and dropped input, restarts, degradation level, rungs.
/// </summary>
public sealed class TranscodingMetrics
{
    public const string MeterName = "OnAir.Transcode";

    public TranscodingMetrics(IMeterFactory meterFactory, TranscodingService transcoding)
    {
        var meter = meterFactory.Create(MeterName);
        IEnumerable<TranscoderStatus> Statuses() => transcoding.Statuses;
        meter.CreateObservableGauge("onair.transcode.state", () => Statuses().SelectMany(s => Enum.GetValues<TranscoderState>().Select(state =>
            new Measurement<int>(s.State == state ? 1 : 0, Stream(s), new KeyValuePair<string, object?>("state", SnakeCase.Of(state.ToString()))))),
            description: "1 for the transcoder state of each stream (running, restarting, paused, fell_back, over_cap, no_rungs, ...)");
        meter.CreateObservableGauge("onair.transcode.speed", () => Statuses().Select(s => new Measurement<double>(s.Speed, Stream(s))),
            description: "Transcoded media seconds per wall-clock second over the last 5 s (1 = real time)");
        meter.CreateObservableGauge("onair.transcode.lag", () => Statuses().Select(s => new Measurement<double>(s.LagSeconds, Stream(s))), "s",
            "How far the transcoded renditions are behind the source");
        meter.CreateObservableGauge("onair.transcode.rung_lag", () => Statuses().SelectMany(s => s.RungLagSeconds.Select(r => new Measurement<double>(r.Value, Stream(s), new KeyValuePair<string, object?>("rendition", r.Key)))), "s",
            "How far each transcoded rendition is behind the source");
        meter.CreateObservableGauge("onair.transcode.queue_frames", () => Statuses().Select(s => new Measurement<int>(s.QueuedFrames, Stream(s))), "{frame}",
            "Source frames waiting for ffmpeg");
        meter.CreateObservableCounter("onair.transcode.dropped_frames", () => Statuses().Select(s => new Measurement<long>(s.DroppedInputFrames, Stream(s))), "{frame}",
            "Source frames ffmpeg never saw (restarts, catching up, queue overflow)");
        meter.CreateObservableCounter("onair.transcode.restarts", () => Statuses().Select(s => new Measurement<int>(s.Restarts, Stream(s))), "{restart}",
            "ffmpeg restarts after a crash or hang");
        meter.CreateObservableGauge("onair.transcode.degradation_level", () => Statuses().Select(s => new Measurement<int>(s.Level, Stream(s))),
            description: "Degradation steps taken (0 = full quality)");
        meter.CreateObservableGauge("onair.transcode.rungs", () => Statuses().Select(s => new Measurement<int>(s.Rungs.Count, Stream(s))), "{rendition}",
            "Rungs being produced");
    }

    private static KeyValuePair<string, object?> Stream(TranscoderStatus status) => new("stream", status.StreamName);
}
