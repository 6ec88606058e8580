using Microsoft.Extensions.Logging;
using OnAir.Streams;

namespace OnAir.Recording;

/// <summary>
/// The recording of one broadcast: a recorder per recorded rendition, each on its own loop. Owned
/// by the recording service's event loop, which adds renditions and, once the stream has ended,
/// awaits the recorders (their feeds complete with the stream) before finalising.
/// </summary>
internal sealed class StreamRecording
{
    private readonly RecordingCatalog _catalog;
    private readonly double _fragmentSeconds;
    private readonly RecordingBudget _budget;
    private readonly ILogger _logger;
    private readonly RecordingMetrics? _metrics;
    private (RenditionRecorder Recorder, Task Run)[] _recorders = []; // copy-on-write: API threads read progress while the service's loop adds
    private readonly MediaBreaks _breaks = new();
    private readonly TimeProvider _time;

    public StreamRecording(RecordingInfo info, RecordingCatalog catalog, double fragmentSeconds, RecordingBudget budget, TimeProvider time, ILogger logger, RecordingMetrics? metrics)
    {
        _time = time;
        Info = info;
        _catalog = catalog;
        _fragmentSeconds = fragmentSeconds;
        _budget = budget;
        _logger = logger;
        _metrics = metrics;
    }

    public RecordingInfo Info { get; private set; }

    /// <summary>Bytes written so far, every rendition.</summary>
    public long BytesWritten => Volatile.Read(ref _recorders).Sum(r => r.Recorder.BytesWritten);

    /// <summary>Why a rendition stopped recording before the broadcast ended, if one did.</summary>
    public string? StoppedBecause => Volatile.Read(ref _recorders).Select(r => r.Recorder.StoppedBecause is { } reason ? $"{r.Recorder.Name}: {reason}" : null).FirstOrDefault(r => r is not null);

    /// <summary>Starts recording <paramref name="rendition"/> and notes it in recording.json (so a crash repair knows it).</summary>
    public void Add(Rendition rendition)
    {
        if (Info.Renditions.Any(r => r.Name == rendition.Name))
        {
            return;
        }

        Info = Info with { Renditions = [.. Info.Renditions, new RecordedRendition(rendition.Name, "", 0, 0)] };
        // The first rendition recorded (source) finds the breaks; renditions added later follow them. The recorder
        // subscribes before the metadata is written (an fsync, which a busy disk can take seconds over): frames
        // published meanwhile wait in its queue instead of being missed (the feed keeps only the latest GOP).
        var recorder = new RenditionRecorder(Info.Id, rendition, _catalog.MediaPath(Info.Id, rendition.Name), _fragmentSeconds, _budget, _breaks, leads: _recorders.Length == 0, _time, _logger, _metrics);
        _catalog.Save(Info);
        Volatile.Write(ref _recorders, [.. _recorders, (recorder, Task.Run(recorder.RunAsync))]);
    }

    /// <summary>After the stream ended: every recorder has written its last fragment. Returns the metadata to finalise.</summary>
    public async Task<RecordingInfo> CompleteAsync(DateTimeOffset endedAt)
    {
        await Task.WhenAll(Volatile.Read(ref _recorders).Select(r => r.Run)).ConfigureAwait(false);
        return Info with { EndedAt = endedAt, Error = StoppedBecause };
    }
}
