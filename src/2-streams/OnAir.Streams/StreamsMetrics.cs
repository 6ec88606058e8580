using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Diagnostics.Metrics;

namespace OnAir.Streams;

/// <summary>
/// The stream core's instruments (meter <c>OnAir.Streams</c>):
/// streams by state, reconnects, source frames taken in, frames dropped per kind of subscriber.
/// Observable instruments read counts kept elsewhere when metrics are collected: source frames are
/// the feeds' own counts (<see cref="StreamRegistry.SourceFramesWritten"/>), so a frame pays for no
/// measurement and no shared counter; reconnects and drops are rare events counted here.
/// </summary>
public sealed class StreamsMetrics
{
    public const string MeterName = "OnAir.Streams";

    private readonly ConcurrentDictionary<string, StrongBox<long>> _droppedFrames = new(StringComparer.Ordinal);
    private long _reconnects;

    public StreamsMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableCounter("onair.stream.reconnects", () => Interlocked.Read(ref _reconnects), "{reconnect}", "Publishers that came back within the grace period and continued their stream");
        meter.CreateObservableCounter("onair.subscriber.dropped_frames", () => _droppedFrames.Select(d => new Measurement<long>(Interlocked.Read(ref d.Value.Value), new KeyValuePair<string, object?>("subscriber", d.Key))), "{frame}", "Frames a subscriber (hls, transcoder) was too slow to take, dropped up to the next keyframe");
        meter.CreateObservableCounter("onair.ingest.frames", () => Registry?.SourceFramesWritten ?? 0, "{frame}", "Source frames publishers wrote into streams");
        meter.CreateObservableGauge("onair.streams", ObserveStates, "{stream}", "Streams by state (live, reconnecting)");
    }

    /// <summary>Set by the registry: where the streams are counted from.</summary>
    internal StreamRegistry? Registry { get; set; }

    internal void Reconnected() => Interlocked.Increment(ref _reconnects);

    internal void Dropped(string subscriber) => Interlocked.Increment(ref _droppedFrames.GetOrAdd(subscriber, _ => new StrongBox<long>()).Value);

    private IEnumerable<Measurement<int>> ObserveStates()
    {
        var streams = Registry?.Streams ?? [];
        var live = streams.Count(s => s.State is StreamState.Live or StreamState.Starting);
        yield return new Measurement<int>(live, new KeyValuePair<string, object?>("state", "live"));
        yield return new Measurement<int>(streams.Count - live, new KeyValuePair<string, object?>("state", "reconnecting"));
    }
}
