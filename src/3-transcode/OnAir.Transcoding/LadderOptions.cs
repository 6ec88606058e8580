namespace OnAir.Transcoding;

/// <summary>A rendition ladder: the rungs made from every stream besides its untouched source.</summary>
public sealed class LadderOptions
{
    public List<RenditionOptions> Renditions { get; set; } = [];

    /// <summary>AAC bitrate of the renditions' audio, kbit/s; null (the default) copies the source's audio once for all rungs.</summary>
    public int? AudioBitrateKbps { get; set; }
}
