using OnAir.Media;

namespace OnAir.Recording;

/// <summary>
/// Where one broadcast's media broke (a publisher reconnected), on the stream's timeline, as the
/// recorder of the source rendition found them. The transcoded renditions share that timeline but
/// not the break: the transcoder's ffmpeg fills the pause with repeated frames. Their recorders
/// drop what falls inside a break and break where the source did, so every rendition of a
/// recording has its discontinuities at the same points (RFC 8216 section 6.2.4).
/// </summary>
internal sealed class MediaBreaks
{
    /// <summary>ffmpeg rounds a rung's timestamps to its frame rate: the first frame after a break may be a little before it.</summary>
    private static readonly long s_tolerance = MediaTime.FromMilliseconds(50);

    private readonly Lock _gate = new();
    private (long From, long To)[] _breaks = []; // copy-on-write: followers read it for every frame

    /// <summary>The source's media stopped at <paramref name="from"/> and resumed at <paramref name="to"/>.</summary>
    public void Add(long from, long to)
    {
        lock (_gate)
        {
            Volatile.Write(ref _breaks, [.. _breaks, (from, to)]);
        }
    }

    /// <summary>Whether a follower's frame at <paramref name="dts"/> is filler inside a break.</summary>
    public bool IsInside(long dts)
    {
        foreach (var (from, to) in Volatile.Read(ref _breaks))
        {
            if (dts > from && dts < to - s_tolerance)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a break lies between a follower's previous frame (<paramref name="previousDts"/>) and this one.</summary>
    public bool Crossed(long previousDts, long dts)
    {
        foreach (var (_, to) in Volatile.Read(ref _breaks))
        {
            if (previousDts < to - s_tolerance && dts >= to - s_tolerance)
            {
                return true;
            }
        }

        return false;
    }
}
