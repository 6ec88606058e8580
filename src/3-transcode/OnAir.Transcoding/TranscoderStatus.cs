namespace OnAir.Transcoding;

/// <summary>What a stream's transcoder is doing, as metrics and the API show it.</summary>
public enum TranscoderState
{
    Starting,
    Running,
    Restarting,

    /// <summary>The publisher is away (the stream is reconnecting): ffmpeg was flushed, a new one starts when it is back.</summary>
    Paused,

    /// <summary>ffmpeg kept failing: the stream is served as source only.</summary>
    FellBack,

    /// <summary>Over the admission cap: the stream is served as source only.</summary>
    OverCap,

    /// <summary>The source is no taller than any rung (never upscaled), or has no video.</summary>
    NoRungs,
    Ended,
}

/// <summary>
/// Live figures of one stream's transcoder, written by its supervisor, read by metrics and the API
/// (each field on its own; a reader may see a mix of two consecutive ticks).
/// </summary>
public sealed class TranscoderStatus
{
    private long _droppedInputFrames;
    private int _restarts;

    public TranscoderStatus(string streamName, string streamId)
    {
        StreamName = streamName;
        StreamId = streamId;
    }

    public string StreamName { get; }

    public string StreamId { get; }

    public volatile TranscoderState State;

    /// <summary>Degradation level, 0 = full quality.</summary>
    public volatile int Level;

    /// <summary>Output media time per wall-clock time over the last seconds (1.0 = real time).</summary>
    public double Speed { get => Volatile.Read(ref _speed); set => Volatile.Write(ref _speed, value); }

    /// <summary>How far the renditions' output is behind the source's arrival, seconds.</summary>
    public double LagSeconds { get => Volatile.Read(ref _lag); set => Volatile.Write(ref _lag, value); }

    /// <summary>The lag of each rung of the current ffmpeg, seconds (rungs share one process, so they differ by a frame or two).</summary>
    public IReadOnlyDictionary<string, double> RungLagSeconds { get => Volatile.Read(ref _rungLag); set => Volatile.Write(ref _rungLag, value); }

    /// <summary>Source frames waiting for ffmpeg.</summary>
    public volatile int QueuedFrames;

    /// <summary>The rungs being produced now.</summary>
    public IReadOnlyList<string> Rungs { get => Volatile.Read(ref _rungs); set => Volatile.Write(ref _rungs, value); }

    /// <summary>Source frames ffmpeg never saw: dropped while it restarted, to catch up, or because the queue overflowed.</summary>
    public long DroppedInputFrames { get => Interlocked.Read(ref _droppedInputFrames); internal set => Interlocked.Exchange(ref _droppedInputFrames, value); }

    public int Restarts => Volatile.Read(ref _restarts);

    private double _speed;
    private double _lag;
    private IReadOnlyList<string> _rungs = [];
    private IReadOnlyDictionary<string, double> _rungLag = new Dictionary<string, double>();

    internal void AddRestart() => Interlocked.Increment(ref _restarts);
}
