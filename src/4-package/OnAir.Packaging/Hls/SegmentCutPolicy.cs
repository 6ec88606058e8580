using OnAir.Media;

namespace OnAir.Packaging.Hls;

/// <summary>
/// Decides where segments end so that EXT-X-TARGETDURATION can stay fixed for the life of the
/// playlist (RFC 8216 section 6.2.1) whatever the publisher's keyframe interval does:
/// <list type="bullet">
/// <item>Cut at the first keyframe once the segment reaches the configured target.</item>
/// <item>The target duration is fixed when the first segment closes: the configured target
/// rounded up, or the first GOP (rounded) when the publisher's GOP is longer, capped at the maximum.</item>
/// <item>Cut early at a keyframe when waiting for the next one (one more GOP, as long as the last)
/// would make the segment round above the target duration.</item>
/// <item>When a GOP is longer than the target duration allows, cut at a non-keyframe just before
/// the segment would round above it. That segment is not independent, but the playlist stays valid.</item>
/// </list>
/// Decisions are made on video frames (or audio frames for audio-only renditions), by DTS.
/// </summary>
public sealed class SegmentCutPolicy
{
    private readonly long _targetTicks;
    private readonly int _configuredTargetDuration;
    private readonly int _maxTargetDuration;
    private long? _lastKeyDts;
    private long? _previousDts;
    private long _lastGopTicks;
    private long _frameIntervalTicks;
    private long _segmentStartDts = long.MinValue;

    public SegmentCutPolicy(double targetSeconds, int maxTargetDurationSeconds)
    {
        _targetTicks = MediaTime.FromSeconds(targetSeconds);
        _configuredTargetDuration = (int)Math.Ceiling(targetSeconds);
        _maxTargetDuration = Math.Max(maxTargetDurationSeconds, _configuredTargetDuration);
    }

    /// <summary>EXT-X-TARGETDURATION, fixed once the first segment has closed; null before.</summary>
    public int? TargetDuration { get; private set; }

    /// <summary>Whether the frame at <paramref name="dts"/> should start a new segment that began at <paramref name="segmentStartDts"/>.</summary>
    public CutDecision Decide(long dts, bool isKeyFrame, long segmentStartDts)
    {
        Observe(dts, isKeyFrame, segmentStartDts);
        var elapsed = dts - segmentStartDts;
        if (elapsed <= 0)
        {
            return CutDecision.Continue;
        }

        // A segment must stay below TARGETDURATION + 0.5 s to round to at most TARGETDURATION.
        var limit = MediaTime.FromSeconds((TargetDuration ?? _maxTargetDuration) + 0.5);
        if (isKeyFrame)
        {
            if (elapsed >= _targetTicks)
            {
                return CutDecision.CutAtKeyFrame;
            }

            // Before the target duration is fixed, the configured target is what the early cut protects.
            var keyFrameLimit = MediaTime.FromSeconds((TargetDuration ?? _configuredTargetDuration) + 0.5);
            if (_lastGopTicks > 0 && elapsed + _lastGopTicks >= keyFrameLimit)
            {
                return CutDecision.CutAtKeyFrame;
            }

            return CutDecision.Continue;
        }

        return elapsed + _frameIntervalTicks >= limit ? CutDecision.ForceCut : CutDecision.Continue;
    }

    /// <summary>Records a frame's timing (keyframe interval, frame interval) without deciding, e.g. for the frame that opens a segment.</summary>
    public void Observe(long dts, bool isKeyFrame, long segmentStartDts)
    {
        if (segmentStartDts != _segmentStartDts)
        {
            _segmentStartDts = segmentStartDts;
            _frameIntervalTicks = 0;
        }

        // The largest step seen in this segment: millisecond timestamps alternate 33/34 ms at 30 fps,
        // and predicting with the smaller one could let a segment reach exactly TD + 0.5 s.
        if (_previousDts is { } previous && dts > previous)
        {
            _frameIntervalTicks = Math.Max(_frameIntervalTicks, dts - previous);
        }

        _previousDts = dts;
        if (isKeyFrame)
        {
            if (_lastKeyDts is { } lastKey && dts > lastKey)
            {
                _lastGopTicks = dts - lastKey;
            }

            _lastKeyDts = dts;
        }
    }

    /// <summary>The publisher's timestamps jumped: forget the old timeline (the target duration stays).</summary>
    public void ResetTimeline()
    {
        _lastKeyDts = null;
        _previousDts = null;
    }

    /// <summary>
    /// LL-HLS serves a playlist from its first part, before any segment closed: the target duration
    /// is fixed at start to the configured target (rounded up), and longer GOPs are cut between keyframes.
    /// </summary>
    public void FixTargetDuration() => TargetDuration ??= _configuredTargetDuration;

    /// <summary>Fixes the target duration from the first segment.</summary>
    public void OnSegmentClosed(double durationSeconds)
    {
        if (TargetDuration is null)
        {
            var rounded = (int)Math.Round(durationSeconds, MidpointRounding.AwayFromZero);
            TargetDuration = Math.Clamp(Math.Max(_configuredTargetDuration, rounded), 1, _maxTargetDuration);
        }
    }
}
