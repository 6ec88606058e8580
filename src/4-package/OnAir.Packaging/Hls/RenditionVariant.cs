namespace OnAir.Packaging.Hls;

/// <summary>What the master playlist says of one rendition.</summary>
public sealed record RenditionVariant(
    string Name,
    long PeakBandwidth,
    long AverageBandwidth,
    int Width,
    int Height,
    string Codecs,
    double FrameRate);
