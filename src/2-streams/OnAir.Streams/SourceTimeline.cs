using OnAir.Media;

namespace OnAir.Streams;

/// <summary>
/// Keeps a stream's source timeline continuous across publisher sessions: a publisher that
/// reconnects restarts its clock (ffmpeg and OBS start at 0), so its frames are moved to where the
/// wall clock says they belong, after the last frame of the session before plus the time the
/// stream waited. Downstream (packager, transcoder) then sees one timeline that only jumps forward,
/// with the first frame of each new session marked as a discontinuity.
/// </summary>
internal sealed class SourceTimeline
{
    private static readonly long s_minimumStep = MediaTime.TicksPerMillisecond;

    private readonly TimeProvider _time;
    private long _lastDts = long.MinValue;
    private long _lastArrival;

    public SourceTimeline(TimeProvider time) => _time = time;

    /// <summary>The publisher's thread, after a frame was placed on the stream's timeline. Returns the arrival time noted.</summary>
    public long Note(long dts)
    {
        if (dts > _lastDts)
        {
            Volatile.Write(ref _lastDts, dts);
        }

        var now = _time.GetTimestamp();
        Volatile.Write(ref _lastArrival, now);
        return now;
    }

    /// <summary>The offset that places a resumed session's first frame (DTS <paramref name="firstDts"/>, arriving now) on the stream's timeline.</summary>
    public long OffsetFor(long firstDts)
    {
        var lastDts = Volatile.Read(ref _lastDts);
        if (lastDts == long.MinValue)
        {
            return 0; // the first session never sent a frame: nothing to continue
        }

        var waited = MediaTime.FromSeconds(_time.GetElapsedTime(Volatile.Read(ref _lastArrival)).TotalSeconds);
        return lastDts + Math.Max(waited, s_minimumStep) - firstDts;
    }
}
