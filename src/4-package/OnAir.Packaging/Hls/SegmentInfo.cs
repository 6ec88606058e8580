namespace OnAir.Packaging.Hls;

/// <summary>
/// A closed, immutable segment as playlists list it. <paramref name="Discontinuity"/>: its
/// timestamps do not continue the previous segment's. <paramref name="Gap"/>: a rendition has no
/// media for this segment of the stream's timeline (its transcoder was restarting); listed with
/// EXT-X-GAP so the sequence numbers stay aligned with the other renditions, never downloadable.
/// <paramref name="Parts"/>: its LL-HLS parts (null without LL-HLS). <paramref name="Map"/>: the
/// init segment (EXT-X-MAP) it decodes with, null for MPEG-TS.
/// </summary>
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
    bool Discontinuity = false,
    bool Gap = false,
    IReadOnlyList<PartInfo>? Parts = null,
    string? Map = null)
{
    public double BitsPerSecond => DurationSeconds > 0 ? Bytes * 8 / DurationSeconds : 0;
}
