namespace OnAir.Media;

/// <summary>
/// A video configuration whose frames are length-prefixed NAL units (H.264's AVCC, H.265's HVCC):
/// what packaging, the transcoder and recording need whatever the codec.
/// </summary>
public abstract class VideoConfig : CodecConfig
{
    public sealed override TrackKind Kind => TrackKind.Video;

    /// <summary>The displayed picture size (the SPS's size less its cropping).</summary>
    public abstract int Width { get; }

    public abstract int Height { get; }

    /// <summary>Bytes of each NAL length prefix in the frames' payloads (1, 2 or 4).</summary>
    public abstract int NalLengthSize { get; }

    /// <summary>The ISO-BMFF sample entry for this codec (<c>avc1</c>, <c>hvc1</c>): parameter sets in the configuration record.</summary>
    public abstract ReadOnlySpan<byte> SampleEntryType { get; }

    /// <summary>The box inside the sample entry that carries <see cref="CodecConfig.Record"/> verbatim (<c>avcC</c>, <c>hvcC</c>).</summary>
    public abstract ReadOnlySpan<byte> RecordBoxType { get; }
}
