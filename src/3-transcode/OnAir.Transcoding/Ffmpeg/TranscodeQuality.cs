namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// How an ffmpeg run trades quality for speed, as the degradation policy sets it: a faster x264
/// preset for every rung, and/or half the source's frame rate (keyframes kept).
/// </summary>
/// <param name="Preset">x264 preset replacing every rung's own; null keeps them.</param>
public sealed record TranscodeQuality(string? Preset, bool HalfFrameRate)
{
    public static readonly TranscodeQuality Full = new(null, false);
}
