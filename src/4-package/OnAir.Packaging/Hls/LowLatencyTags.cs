namespace OnAir.Packaging.Hls;

/// <summary>Another rendition's live edge, for EXT-X-RENDITION-REPORT: its playlist URI relative to this one, last segment and last part.</summary>
public readonly record struct RenditionReport(string Uri, long LastMsn, int LastPart);

/// <summary>
/// What an LL-HLS media playlist adds to a live one (rfc8216bis): the fixed part target, the parts
/// of the segment still being written (with the tags of that segment that must precede them), the
/// hint for the next part and the other renditions' reports.
/// </summary>
public sealed record LowLatencyTags(
    double PartTargetSeconds,
    IReadOnlyList<PartInfo> OpenParts,
    string? PreloadHint,
    IReadOnlyList<RenditionReport> Reports,
    OpenSegment? Open = null)
{
    /// <summary>Parts are listed for the segments that end within this many target durations of the live edge (rfc8216bis section 4.4.4.9).</summary>
    public const int PartListingTargetDurations = 3;

    /// <summary>CAN-SKIP-UNTIL, in target durations (rfc8216bis asks for at least six).</summary>
    public const int SkipUntilTargetDurations = 6;

    /// <summary>HOLD-BACK, in target durations (at least three).</summary>
    public const int HoldBackTargetDurations = 3;

    /// <summary>PART-HOLD-BACK, in part targets (at least two; Apple recommends three).</summary>
    public const int PartHoldBackPartTargets = 3;
}

/// <summary>The segment being written, whose parts are listed before it is: its tags come before its first part.</summary>
public sealed record OpenSegment(DateTimeOffset ProgramDateTime, bool Discontinuity, string? Map);
