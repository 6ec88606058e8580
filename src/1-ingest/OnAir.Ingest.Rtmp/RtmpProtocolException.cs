namespace OnAir.Ingest.Rtmp;

/// <summary>The peer broke the protocol or a limit; the connection is closed with this reason logged.</summary>
public sealed class RtmpProtocolException : Exception
{
    public RtmpProtocolException(string message)
        : base(message)
    {
    }

    public RtmpProtocolException()
    {
    }

    public RtmpProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
