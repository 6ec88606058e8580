namespace OnAir.Media.Mp4;

/// <summary>Track numbering and clock shared by the init segment and the fragments of OnAir's fMP4.</summary>
public static class Fmp4Tracks
{
    public const int VideoTrackId = 1;
    public const int AudioTrackId = 2;

    /// <summary>Both tracks count in OnAir's 90 kHz ticks: samples keep their timestamps exactly, and all renditions share one timeline.</summary>
    public const int Timescale = (int)MediaTime.TicksPerSecond;
}
