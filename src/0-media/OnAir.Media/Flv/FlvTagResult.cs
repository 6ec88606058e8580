namespace OnAir.Media.Flv;

/// <summary>What one FLV audio or video tag body turned into.</summary>
public enum FlvTagResult
{
    /// <summary>A media frame was produced.</summary>
    Frame,

    /// <summary>A new codec configuration was taken (sequence header); no frame.</summary>
    ConfigChanged,

    /// <summary>Nothing to do: an end-of-sequence marker, an empty tag, a video info frame.</summary>
    Ignored,

    /// <summary>A codec OnAir does not carry (the publisher should switch to H.264/AAC).</summary>
    UnsupportedCodec,

    /// <summary>A frame arrived before its sequence header, so it cannot be decoded.</summary>
    MissingConfig,
}
