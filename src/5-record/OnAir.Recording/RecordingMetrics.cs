using System.Diagnostics.Metrics;

namespace OnAir.Recording;

/// <summary>Recording's instruments (meter <c>OnAir.Recording</c>): bytes and fragments written, recordings finished and stopped early, time to finalise.</summary>
public sealed class RecordingMetrics
{
    public const string MeterName = "OnAir.Recording";

    private readonly Counter<long> _bytes;
    private readonly Counter<long> _fragments;
    private readonly Counter<long> _finished;
    private readonly Counter<long> _stopped;
    private readonly Histogram<double> _finaliseTime;

    public RecordingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _bytes = meter.CreateCounter<long>("onair.recording.bytes", "By", "Bytes of media appended to recordings");
        _fragments = meter.CreateCounter<long>("onair.recording.fragments", "{fragment}", "Fragments appended to recordings and flushed to disk");
        _finished = meter.CreateCounter<long>("onair.recording.finished", "{recording}", "Recordings finalised (ready or failed), by state");
        _stopped = meter.CreateCounter<long>("onair.recording.stopped", "{rendition}", "Renditions whose recording stopped before the broadcast ended (full disk, size limit, codec change)");
        _finaliseTime = meter.CreateHistogram<double>("onair.recording.finalise_duration", "s", "Time to finalise a recording (scan, MP4 head, VOD playlists)");
    }

    internal void FragmentWritten(int bytes)
    {
        _bytes.Add(bytes);
        _fragments.Add(1);
    }

    internal void Stopped() => _stopped.Add(1);

    internal void Finished(RecordingState state, TimeSpan took)
    {
        _finished.Add(1, new KeyValuePair<string, object?>("state", state.ToString().ToLowerInvariant()));
        _finaliseTime.Record(took.TotalSeconds);
    }
}
