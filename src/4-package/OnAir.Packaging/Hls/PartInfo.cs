namespace OnAir.Packaging.Hls;

/// <summary>
/// An LL-HLS partial segment: part <paramref name="Index"/> of segment <paramref name="Sequence"/>,
/// which is also bytes [<paramref name="Offset"/>, +<paramref name="Length"/>) of the segment's file,
/// where it is served from. <paramref name="Independent"/>: it starts with a keyframe.
/// </summary>
public sealed record PartInfo(
    long Sequence,
    int Index,
    string FileName,
    double DurationSeconds,
    bool Independent,
    string SegmentPath,
    long Offset,
    int Length);
