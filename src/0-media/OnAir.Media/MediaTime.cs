namespace OnAir.Media;

/// <summary>
/// Media timestamps are 90 kHz ticks everywhere inside OnAir: MPEG-TS and HLS speak 90 kHz natively,
/// RTMP milliseconds convert exactly (×90), and ffmpeg's TS output comes back in the same unit.
/// </summary>
public static class MediaTime
{
    public const long TicksPerSecond = 90_000;
    public const long TicksPerMillisecond = 90;

    public static long FromMilliseconds(long milliseconds) => milliseconds * TicksPerMillisecond;

    public static double ToSeconds(long ticks) => ticks / (double)TicksPerSecond;

    public static long FromSeconds(double seconds) => (long)Math.Round(seconds * TicksPerSecond);

    /// <summary>
    /// <paramref name="later"/> − <paramref name="earlier"/> when it lies within ±<paramref name="tolerance"/>:
    /// timestamps a hostile or damaged file put anywhere in the 64-bit range neither overflow nor wrap into a small difference.
    /// </summary>
    public static bool IsWithin(Int128 later, Int128 earlier, long tolerance, out long difference)
    {
        var exact = later - earlier;
        var within = exact >= -tolerance && exact <= tolerance;
        difference = within ? (long)exact : 0;
        return within;
    }

    /// <summary>Exact (one 90 kHz tick is 1000/9 TimeSpan ticks) and free of overflow for millennia of media time.</summary>
    public static TimeSpan ToTimeSpan(long ticks) => TimeSpan.FromTicks(ticks * 1000 / 9);
}
