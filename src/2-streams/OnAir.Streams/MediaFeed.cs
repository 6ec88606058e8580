using OnAir.Media;

namespace OnAir.Streams;

/// <summary>
/// Fan-out of one rendition's frames: one writer (the ingest session or the transcoder), any
/// number of <see cref="Subscription"/>s. Writing never waits on a reader; the lock only guards
/// the subscriber list and GOP cache and is never held across I/O.
/// </summary>
public sealed class MediaFeed
{
    private readonly Lock _gate = new();
    private readonly GopCache _gopCache;
    private readonly int _subscriberCapacity;
    private Subscription[] _subscribers = [];
    private bool _completed;
    private long _framesWritten;

    public MediaFeed(StreamsOptions options, StreamsMetrics? metrics = null)
    {
        Metrics = metrics;
        _gopCache = new GopCache(options.GopCacheMaxFrames);
        _subscriberCapacity = options.SubscriberQueueFrames;
    }

    public long FramesWritten => Interlocked.Read(ref _framesWritten);

    internal StreamsMetrics? Metrics { get; }

    public bool IsCompleted => Volatile.Read(ref _completed);

    /// <summary>The latest video configuration written, for status pages and the master playlist.</summary>
    public CodecConfig? LastVideoConfig { get; private set; }

    public CodecConfig? LastAudioConfig { get; private set; }

    /// <summary>Publishes a frame to every subscriber. Consumes the caller's reference.</summary>
    public void Write(MediaFrame frame)
    {
        try
        {
            lock (_gate)
            {
                if (_completed)
                {
                    return;
                }

                if (frame.Kind == TrackKind.Video)
                {
                    LastVideoConfig = frame.Config;
                }
                else
                {
                    LastAudioConfig = frame.Config;
                }

                _gopCache.Add(frame);
                var hasVideo = LastVideoConfig is not null;
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Offer(frame, hasVideo);
                }

                _framesWritten++;
            }
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>Subscribes; the new reader first receives the cached GOP, so it starts at a keyframe.</summary>
    public Subscription Subscribe(string name)
    {
        var subscription = new Subscription(this, name, _subscriberCapacity);
        lock (_gate)
        {
            if (_completed)
            {
                subscription.Complete();
                return subscription;
            }

            _gopCache.CopyTo(subscription);
            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    /// <summary>Readers subscribed now (for tests and status).</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Frames written and not yet read, over all readers.</summary>
    public int QueuedFrames => Volatile.Read(ref _subscribers).Sum(s => s.QueuedFrames);

    /// <summary>Forgets the cached GOP (its publisher session is gone): a reader joining now starts at the next keyframe.</summary>
    public void ResetGopCache()
    {
        lock (_gate)
        {
            _gopCache.Clear();
        }
    }

    /// <summary>Ends the feed: readers drain what is queued, then read null.</summary>
    public void Complete()
    {
        Subscription[] subscribers;
        lock (_gate)
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            _gopCache.Clear();
            subscribers = _subscribers;
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Complete();
        }
    }

    internal void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            _subscribers = Array.FindAll(_subscribers, s => s != subscription);
        }
    }
}
