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

    /// <summary>Next frame, or null once the feed has ended and the queue is drained. The caller owns the returned reference.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // called per frame: no allocation when it waits
    public async ValueTask<MediaFrame?> ReadAsync(CancellationToken cancellationToken)
    {
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (_queue.Reader.TryRead(out var frame))
            {
                Interlocked.Decrement(ref _queued);
                return frame;
            }
        }

        return null;
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
                Interlocked.Increment(ref _droppedFrames);
            }

            return;
        }

        if (Volatile.Read(ref _queued) >= Capacity)
        {
            _waitingForKeyframe = true;
            _overflowed = true;
            Interlocked.Increment(ref _droppedFrames);
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

    public void Dispose()
    {
        _feed.Unsubscribe(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var frame))
        {
            Interlocked.Decrement(ref _queued);
            frame.Release();
        }
    }
}
