namespace OnAir.Media.Flv;

/// <summary>
/// RTMP timestamps are 32-bit milliseconds and wrap after 49.7 days; this extends them to 64 bits
/// so a stream of any length keeps monotonic media time.
/// </summary>
internal struct TimestampUnwrapper
{
    private long _last;
    private bool _started;

    public long Unwrap(uint timestamp)
    {
        if (!_started)
        {
            _started = true;
            _last = timestamp;
            return _last;
        }

        var lastLow = (uint)_last;
        var delta = (int)(timestamp - lastLow); // signed distance modulo 2^32
        _last += delta;
        return _last;
    }
}
