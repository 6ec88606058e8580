using OnAir.Media;

namespace OnAir.Packaging.Hls;

/// <summary>Where the leading rendition opened a segment: the boundary every other rendition cuts at.</summary>
public readonly record struct SegmentBoundary(long Sequence, long Pts, bool IsKeyFrame, DateTimeOffset ProgramDateTime);

/// <summary>
/// The segment boundaries of one stream. The <c>source</c> rendition leads: its cut policy decides
/// where segments start and records each start here. Transcoded renditions follow: they cut at
/// their keyframe that matches a recorded boundary and take its sequence number, so segment N
/// starts at the same time in every rendition and players can switch at any boundary.
/// </summary>
/// <remarks>
/// Followers run behind the leader (the transcoder takes time), but a follower never decides on a
/// frame the leader has not reached yet: it waits in <see cref="WaitForLeaderAsync"/>. The leader
/// writes, followers read; the lock only guards the boundary list.
/// </remarks>
public sealed class SegmentTimeline
{
    /// <summary>How far a follower's keyframe may be from the leader's and still match it: a transcoder places keyframes within a frame of the source's.</summary>
    public static readonly long MatchTolerance = MediaTime.FromSeconds(0.15);

    private const int MaxBoundaries = 512;

    private readonly Lock _gate = new();
    private readonly List<SegmentBoundary> _boundaries = []; // in sequence order
    private TaskCompletionSource _progressed = NewSignal();
    private long _leaderPts = long.MinValue;
    private int _waiters;
    private int _targetDuration;
    private bool _completed;

    /// <summary>The leader's EXT-X-TARGETDURATION once fixed, so every rendition's playlist states the same.</summary>
    public int? TargetDuration
    {
        get
        {
            var value = Volatile.Read(ref _targetDuration);
            return value > 0 ? value : null;
        }
    }

    public bool IsCompleted => Volatile.Read(ref _completed);

    internal void SetTargetDuration(int targetDuration) => Volatile.Write(ref _targetDuration, targetDuration);

    /// <summary>Leader: a segment opened.</summary>
    internal void AddBoundary(SegmentBoundary boundary)
    {
        lock (_gate)
        {
            _boundaries.Add(boundary);
            if (_boundaries.Count > MaxBoundaries)
            {
                _boundaries.RemoveRange(0, _boundaries.Count - (MaxBoundaries / 2)); // once per MaxBoundaries / 2 segments
            }
        }
    }

    /// <summary>Leader: every frame up to <paramref name="pts"/> has been seen (and cut where due).</summary>
    internal void Advance(long pts)
    {
        if (pts <= Volatile.Read(ref _leaderPts))
        {
            return;
        }

        // A full fence between publishing the position and reading the waiter count, paired with the
        // follower's increment before its check: one of the two always sees the other.
        Interlocked.Exchange(ref _leaderPts, pts);
        if (Volatile.Read(ref _waiters) > 0)
        {
            Pulse();
        }
    }

    /// <summary>Leader: no more boundaries will come; followers stop waiting.</summary>
    internal void Complete()
    {
        Volatile.Write(ref _completed, true);
        Pulse();
    }

    /// <summary>Follower: completes once the leader has reached <paramref name="pts"/> (plus the match tolerance) or has ended.</summary>
    internal async ValueTask WaitForLeaderAsync(long pts, CancellationToken cancellationToken)
    {
        var target = pts + MatchTolerance;
        if (Volatile.Read(ref _leaderPts) >= target || IsCompleted)
        {
            return;
        }

        Interlocked.Increment(ref _waiters);
        try
        {
            while (true)
            {
                var signal = Volatile.Read(ref _progressed);
                if (Volatile.Read(ref _leaderPts) >= target || IsCompleted)
                {
                    return;
                }

                await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waiters);
        }
    }

    /// <summary>Follower: the latest boundary after <paramref name="afterSequence"/> that starts no later than <paramref name="pts"/> (within the tolerance).</summary>
    internal SegmentBoundary? LatestAt(long pts, long afterSequence)
    {
        // Called for every video frame of every rung: scan from the newest end, which is where the
        // answer is (usually the last boundary or none), not through the whole history.
        lock (_gate)
        {
            for (var i = _boundaries.Count - 1; i >= 0 && _boundaries[i].Sequence > afterSequence; i--)
            {
                if (_boundaries[i].Pts <= pts + MatchTolerance)
                {
                    return _boundaries[i];
                }
            }

            return null;
        }
    }

    /// <summary>Follower: the boundary that opened segment <paramref name="sequence"/> and the start of the next one, for segments a follower has no media for.</summary>
    internal bool TryGetSpan(long sequence, out SegmentBoundary start, out long endPts)
    {
        lock (_gate)
        {
            var index = _boundaries.FindIndex(b => b.Sequence == sequence);
            var found = index >= 0 && index + 1 < _boundaries.Count;
            start = found ? _boundaries[index] : default;
            endPts = found ? _boundaries[index + 1].Pts : 0;
            return found;
        }
    }

    private void Pulse() => Interlocked.Exchange(ref _progressed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
