namespace OnAir.Transcoding.Ffmpeg;

/// <summary>The ladder needs ffmpeg and it is missing, too old or lacks libx264; the message says how to fix it.</summary>
public sealed class FfmpegUnavailableException : Exception
{
    public FfmpegUnavailableException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
