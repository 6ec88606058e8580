namespace OnAir.Media;

/// <summary>
/// An immutable codec configuration (decoder setup) shared by every frame it applies to.
/// A change of configuration mid-stream is a new instance, so reference equality tells "changed".
/// </summary>
public abstract class CodecConfig
{
    public abstract TrackKind Kind { get; }

    /// <summary>RFC 6381 codec string as HLS wants it in CODECS, e.g. <c>avc1.64001f</c> or <c>mp4a.40.2</c>.</summary>
    public abstract string CodecString { get; }

    /// <summary>The configuration record exactly as the publisher sent it (AVCDecoderConfigurationRecord, AudioSpecificConfig).</summary>
    public abstract ReadOnlyMemory<byte> Record { get; }
}
