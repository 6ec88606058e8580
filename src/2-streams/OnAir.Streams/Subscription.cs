using System.Runtime.CompilerServices;
using System.Threading.Channels;
using OnAir.Media;

namespace OnAir.Streams;

/// <summary>
/// One reader of a <see cref="MediaFeed"/>. The feed's writer never blocks on it: when the
/// queue holds <see cref="Capacity"/> frames, incoming frames are dropped (and counted) until
/// the next video keyframe finds room again, so the reader always resumes at a decodable point.
/// </summary>
public sealed class Subscription : IDisposable
{
    private readonly Channel<MediaFrame> _queue = Channel.CreateUnbounded<MediaFrame>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true, AllowSynchronousContinuations = false });

    private readonly MediaFeed _feed;
    private int _queued;
    private bool _waitingForKeyframe;
    private bool _overflowed;
    private long _droppedFrames;
    private int _wakePending;

    /// <summary>Queued by <see cref="Wake"/>; never handed to a reader.</summary>
    private static readonly MediaFrame s_wake = MediaFrame.Create(TrackKind.Audio, 0, 0, false, WakeConfig.Instance, []);

    internal Subscription(MediaFeed feed, string name, int capacity)
    {
        _feed = feed;
        Name = name;
        Capacity = capacity;
    }

    /// <summary>Who reads, for logs and metrics (e.g. "hls").</summary>
    public string Name { get; }

    public int Capacity { get; }

    /// <summary>Frames dropped because this reader fell behind.</summary>
    public long DroppedFrames => Interlocked.Read(ref _droppedFrames);

    public int QueuedFrames => Volatile.Read(ref _queued);

    /// <summary>
    /// Next frame; null once the feed has ended and the queue is drained (<see cref="IsEnded"/>), or
    /// when <see cref="Wake"/> interrupted the wait. The caller owns the returned reference.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // called per frame: no allocation when it waits
    public async ValueTask<MediaFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_queue.Reader.TryRead(out var frame))
            {
                if (frame == s_wake)
                {
                    Volatile.Write(ref _wakePending, 0);
                    return null;
                }

                Interlocked.Decrement(ref _queued);
                return frame;
            }
        }

        IsEnded = true;
        return null;
    }

    /// <summary>
    /// Waits until a frame is queued (true) or the feed has ended with nothing left (false, and
    /// <see cref="IsEnded"/>), for a reader that takes frames in batches with <see cref="TryRead"/>.
    /// </summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        if (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        IsEnded = true;
        return false;
    }

    /// <summary>The next queued frame without waiting, if there is one; the caller owns it. Wake markers are skipped.</summary>
    public bool TryRead([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MediaFrame? frame)
    {
        while (_queue.Reader.TryRead(out frame))
        {
            if (frame == s_wake)
            {
                Volatile.Write(ref _wakePending, 0);
                continue;
            }

            Interlocked.Decrement(ref _queued);
            return true;
        }

        frame = null;
        return false;
    }

    /// <summary>Whether the feed has ended and every frame was read.</summary>
    public bool IsEnded { get; private set; }

    /// <summary>
    /// Makes the reader's pending (or next) <see cref="ReadAsync"/> return null without a frame, in
    /// order after the frames already queued, so an owner with nothing to read can do timed work
    /// (gap segments, flushing ffmpeg) on its own loop. At most one wake is queued at a time.
    /// </summary>
    public void Wake()
    {
        if (Interlocked.Exchange(ref _wakePending, 1) == 0 && !_queue.Writer.TryWrite(s_wake))
        {
            Volatile.Write(ref _wakePending, 0);
        }
    }

    /// <summary>A reader that joins with no cached GOP starts at the next decodable frame.</summary>
    internal void StartAtNextKeyFrame() => _waitingForKeyframe = true;

    /// <summary>
    /// Called by the feed's writer (one at a time); takes its own reference when the frame is kept.
    /// A frame where reading may resume: a video keyframe, or any audio frame when the feed has no video.
    /// </summary>
    internal void Offer(MediaFrame frame, bool feedHasVideo)
    {
        var resumePoint = frame.IsKeyFrame && (frame.Kind == TrackKind.Video || !feedHasVideo);
        if (_waitingForKeyframe && !resumePoint)
        {
            if (_overflowed)
            {
                CountDrop();
            }

            return;
        }

        if (Volatile.Read(ref _queued) >= Capacity)
        {
            _waitingForKeyframe = true;
            _overflowed = true;
            CountDrop();
            return;
        }

        _waitingForKeyframe = false;
        _overflowed = false;
        Interlocked.Increment(ref _queued);
        if (!_queue.Writer.TryWrite(frame.AddRef()))
        {
            Interlocked.Decrement(ref _queued);
            frame.Release();
        }
    }

    internal void Complete() => _queue.Writer.TryComplete();

    private void CountDrop()
    {
        Interlocked.Increment(ref _droppedFrames);
        _feed.Metrics?.Dropped(Name);
    }

    public void Dispose()
    {
        _feed.Unsubscribe(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var frame))
        {
            if (frame != s_wake)
            {
                Interlocked.Decrement(ref _queued);
                frame.Release();
            }
        }
    }
}

/// <summary>The configuration of the wake marker (never decoded).</summary>
internal sealed class WakeConfig : CodecConfig
{
    public static readonly WakeConfig Instance = new();

    public override TrackKind Kind => TrackKind.Audio;

    public override string CodecString => "";

    public override ReadOnlyMemory<byte> Record => ReadOnlyMemory<byte>.Empty;
}
