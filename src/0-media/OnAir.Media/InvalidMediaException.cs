namespace OnAir.Media;

/// <summary>Media data that does not follow its format (a truncated SPS, an impossible header).</summary>
public sealed class InvalidMediaException : Exception
{
    public InvalidMediaException(string message)
        : base(message)
    {
    }

    public InvalidMediaException()
    {
    }

    public InvalidMediaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
