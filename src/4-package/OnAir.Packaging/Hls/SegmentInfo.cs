namespace OnAir.Packaging.Hls;

/// <summary>A closed, immutable segment as playlists list it.</summary>
public sealed record SegmentInfo(
    long Sequence,
    string FileName,
    string FilePath,
    long StartDts,
    double DurationSeconds,
    long Bytes,
    DateTimeOffset ProgramDateTime,
    bool StartsWithKeyFrame,
    int VideoFrames)
{
    public double BitsPerSecond => DurationSeconds > 0 ? Bytes * 8 / DurationSeconds : 0;
}
