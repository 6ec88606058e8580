namespace OnAir.Ingest.Rtmp.Amf0;

/// <summary>The AMF0 <c>undefined</c> value, distinct from <c>null</c>.</summary>
public sealed class Amf0Undefined
{
    public static readonly Amf0Undefined Instance = new();

    private Amf0Undefined()
    {
    }
}
