namespace OnAir.Ingest.Srt.Native;

/// <summary>A libsrt call failed; the message names the call and libsrt's own reason.</summary>
public sealed class SrtException : Exception
{
    public SrtException()
    {
    }

    public SrtException(string message)
        : base(message)
    {
    }

    public SrtException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal static SrtException Last(string call) => new($"{call}: {LibSrt.LastError()}");
}
