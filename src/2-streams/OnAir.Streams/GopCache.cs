using OnAir.Media;

namespace OnAir.Streams;

/// <summary>
/// The frames since the latest video keyframe (audio included), so a new subscriber can start
/// decoding at once. Holds a reference on each cached frame. Not thread-safe: owned by its feed's lock.
/// </summary>
internal sealed class GopCache
{
    private readonly List<MediaFrame> _frames = [];
    private readonly int _maxFrames;
    private bool _overflowed;

    public GopCache(int maxFrames) => _maxFrames = maxFrames;

    public int Count => _frames.Count;

    public void Add(MediaFrame frame)
    {
        if (frame.Kind == TrackKind.Video && frame.IsKeyFrame)
        {
            Clear();
            _overflowed = false;
        }
        else if (_frames.Count == 0 || _overflowed)
        {
            return; // no keyframe yet, or this GOP is too long to cache
        }

        if (_frames.Count >= _maxFrames)
        {
            Clear();
            _overflowed = true;
            return;
        }

        _frames.Add(frame.AddRef());
    }

    public void CopyTo(Subscription subscription)
    {
        if (_frames.Count == 0)
        {
            subscription.StartAtNextKeyFrame();
            return;
        }

        foreach (var frame in _frames)
        {
            subscription.Offer(frame, feedHasVideo: true);
        }
    }

    public void Clear()
    {
        foreach (var frame in _frames)
        {
            frame.Release();
        }

        _frames.Clear();
    }
}
