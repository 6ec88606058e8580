namespace OnAir.Media.MpegTs;

/// <summary>
/// PTS and DTS are 33-bit 90 kHz counters that wrap every 26.5 hours; this extends them to
/// 64-bit ticks that keep running. One instance serves every PID of an input, because all of them
/// run on the program clock: unwrapping each PID on its own would put a stream that starts just
/// after a wrap 26.5 hours away from one that starts just before it.
/// </summary>
internal struct Timestamp33
{
    public const long Modulus = 1L << 33;
    public const long Mask = Modulus - 1;

    private long _last;
    private bool _started;

    /// <summary>
    /// The 64-bit value congruent to <paramref name="timestamp"/> (mod 2^33) nearest to the previous
    /// result; the first value is taken as it is. Streams only move forward (or, for PTS against
    /// DTS, back by a few frames), so "nearest" is right for any gap under 13 hours.
    /// </summary>
    public long Unwrap(long timestamp)
    {
        timestamp &= Mask;
        if (!_started)
        {
            _started = true;
            _last = timestamp;
            return timestamp;
        }

        var delta = (timestamp - _last) & Mask;
        if (delta >= Modulus / 2)
        {
            delta -= Modulus;
        }

        _last += delta;
        return _last;
    }

    /// <summary>
    /// Reads a PES timestamp: 3 + 15 + 15 bits after a 4-bit prefix, each part followed by a marker
    /// bit (ISO/IEC 13818-1 section 2.4.3.7). Markers are not checked: encoders get them right, and a
    /// broken one only matters if the value is also wrong.
    /// </summary>
    public static long Read(ReadOnlySpan<byte> field) =>
        ((long)(field[0] & 0x0E) << 29) | ((long)field[1] << 22) | ((long)(field[2] >> 1) << 15) | ((long)field[3] << 7) | (uint)(field[4] >> 1);

    /// <summary>Writes a PES timestamp: the 33 bits in 3 + 15 + 15, each part followed by a marker bit, behind the 4-bit <paramref name="prefix"/>.</summary>
    public static void Write(Span<byte> destination, int prefix, long timestamp)
    {
        destination[0] = (byte)((prefix << 4) | (int)((timestamp >> 29) & 0x0E) | 1);
        destination[1] = (byte)(timestamp >> 22);
        destination[2] = (byte)(((timestamp >> 14) & 0xFE) | 1);
        destination[3] = (byte)(timestamp >> 7);
        destination[4] = (byte)(((timestamp << 1) & 0xFE) | 1);
    }
}
