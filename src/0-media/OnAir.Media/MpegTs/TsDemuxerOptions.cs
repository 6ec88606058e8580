namespace OnAir.Media.MpegTs;

/// <summary>Limits of one <see cref="TsDemuxer"/>. Every limit bounds the memory one input can make OnAir hold.</summary>
public sealed record TsDemuxerOptions
{
    /// <summary>
    /// Largest PES packet (header included) reassembled; a larger one is dropped and counted.
    /// Default 8 MiB: a 4K intra picture at broadcast bitrates is well under 2 MiB, so anything
    /// bigger is a broken or hostile stream, not a picture.
    /// </summary>
    public int MaxPesSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>
    /// PIDs tracked at once: PMT PIDs plus H.264/AAC elementary streams (each one may hold a PES
    /// buffer of up to <see cref="MaxPesSize"/>). Default 32: a transcoder ladder of 3 to 6 rungs
    /// with audio needs under 10; streams beyond the limit are ignored and counted.
    /// </summary>
    public int MaxPids { get; init; } = 32;
}
