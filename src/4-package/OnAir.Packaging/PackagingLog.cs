using Microsoft.Extensions.Logging;

namespace OnAir.Packaging;

/// <summary>Structured HLS packaging logs, stable event ids 2000-2099.</summary>
internal static partial class PackagingLog
{
    [LoggerMessage(2000, LogLevel.Information, "Stream {StreamName}/{Rendition}: packaging started (video: {HasVideo}, audio: {HasAudio})")]
    public static partial void Started(ILogger logger, string streamName, string rendition, bool hasVideo, bool hasAudio);

    [LoggerMessage(2001, LogLevel.Information, "Stream {StreamName}/{Rendition}: target duration fixed at {TargetDuration} s (first segment {FirstSegmentSeconds:0.000} s)")]
    public static partial void TargetDurationFixed(ILogger logger, string streamName, string rendition, int targetDuration, double firstSegmentSeconds);

    [LoggerMessage(2002, LogLevel.Warning, "Stream {StreamName}/{Rendition}: GOP longer than the {TargetDuration} s target duration, segment {Sequence} cut at a non-keyframe; set the encoder's keyframe interval to {TargetDuration} s or less (e.g. ffmpeg -g, OBS 'Keyframe Interval')")]
    public static partial void ForcedCut(ILogger logger, string streamName, string rendition, int targetDuration, long sequence);

    [LoggerMessage(2003, LogLevel.Information, "Stream {StreamName}/{Rendition}: ended after {Segments} segments, playlist has ENDLIST")]
    public static partial void Ended(ILogger logger, string streamName, string rendition, long segments);

    [LoggerMessage(2004, LogLevel.Warning, "Stream {StreamName}/{Rendition}: frame dropped, {Reason}")]
    public static partial void FrameDropped(ILogger logger, string streamName, string rendition, string reason);

    [LoggerMessage(2014, LogLevel.Warning, "Stream {StreamName}/{Rendition}: {Count} more frames dropped in the last {Seconds} s (only the first few of each interval are logged one by one)")]
    public static partial void FramesDroppedSuppressed(ILogger logger, string streamName, string rendition, long count, double seconds);

    [LoggerMessage(2005, LogLevel.Error, "Stream {StreamName}/{Rendition}: packaging failed; this rendition stops, other streams are unaffected")]
    public static partial void Failed(ILogger logger, Exception exception, string streamName, string rendition);

    [LoggerMessage(2006, LogLevel.Warning, "Stream {StreamName}/{Rendition}: {Dropped} frames dropped so far because packaging fell behind the publisher")]
    public static partial void SubscriberDrops(ILogger logger, string streamName, string rendition, long dropped);

    [LoggerMessage(2007, LogLevel.Debug, "Stream {StreamName} (instance {StreamId}): files deleted after retention")]
    public static partial void Deleted(ILogger logger, string streamName, string streamId);

    [LoggerMessage(2009, LogLevel.Warning, "Stream {StreamName}/{Rendition}: publisher timestamps jumped from {FromSeconds:0.000} s to {ToSeconds:0.000} s; the next segment starts a new timeline (EXT-X-DISCONTINUITY)")]
    public static partial void TimestampJump(ILogger logger, string streamName, string rendition, double fromSeconds, double toSeconds);

    [LoggerMessage(2010, LogLevel.Warning, "Stream {StreamName}/{Rendition}: no keyframe where the source cut segment {Sequence}; cut {OffsetSeconds:0.000} s late at a non-keyframe (the transcoder lost frames); logged once per rendition")]
    public static partial void Misaligned(ILogger logger, string streamName, string rendition, long sequence, double offsetSeconds);

    [LoggerMessage(2008, LogLevel.Warning, "Stream {StreamName}/{Rendition}: a {Track} track appeared after packaging started without one; it is not packaged")]
    public static partial void LateTrack(ILogger logger, string streamName, string rendition, string track);

    [LoggerMessage(2011, LogLevel.Error, "Stream {StreamName}: its HLS output could not be created under {Directory}; the stream is not packaged. Check that the data directory (--data-dir) is writable and the disk not full")]
    public static partial void OutputFailed(ILogger logger, Exception exception, string streamName, string directory);

    [LoggerMessage(2012, LogLevel.Information, "Stream {StreamName}/{Rendition}: publisher lost, segment {Sequence} is the last before the gap; playlists stay live with EXT-X-GAP segments until it is back")]
    public static partial void GapStarted(ILogger logger, string streamName, string rendition, long sequence);

    [LoggerMessage(2013, LogLevel.Information, "Stream {StreamName}/{Rendition}: media is back after {GapSeconds:0.0} s of gap; segment {Sequence} continues the playlist with EXT-X-DISCONTINUITY")]
    public static partial void GapEnded(ILogger logger, string streamName, string rendition, double gapSeconds, long sequence);
}
