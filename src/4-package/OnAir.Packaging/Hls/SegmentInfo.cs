namespace OnAir.Packaging.Hls;

/// <summary>A closed, immutable segment as playlists list it. <paramref name="Discontinuity"/>: its timestamps do not continue the previous segment's.</summary>
public sealed record SegmentInfo(
    long Sequence,
    string FileName,
    string FilePath,
    long StartDts,
    double DurationSeconds,
    long Bytes,
    DateTimeOffset ProgramDateTime,
    bool StartsWithKeyFrame,
    int VideoFrames,
    bool Discontinuity = false)
{
    public double BitsPerSecond => DurationSeconds > 0 ? Bytes * 8 / DurationSeconds : 0;
}
