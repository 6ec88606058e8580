namespace OnAir.Packaging.Hls;

public enum CutDecision
{
    /// <summary>Keep adding to the current segment.</summary>
    Continue,

    /// <summary>Close the segment; this keyframe starts the next one.</summary>
    CutAtKeyFrame,

    /// <summary>Close the segment at a non-keyframe: the GOP is longer than the playlist's target duration allows.</summary>
    ForceCut,
}
