using Microsoft.Extensions.Logging;

namespace OnAir.Transcoding;

/// <summary>Structured transcoder logs, stable event ids 3000-3099.</summary>
internal static partial class TranscodeLog
{
    [LoggerMessage(3000, LogLevel.Information, "Stream {StreamName}: transcoding {Height}p source to {Rungs} (ladder '{Ladder}', ffmpeg pid {Pid})")]
    public static partial void Started(ILogger logger, string streamName, int height, string rungs, string ladder, int pid);

    [LoggerMessage(3001, LogLevel.Information, "Stream {StreamName}: the {Height}p source is no taller than any rung of ladder '{Ladder}'; served as source only (never upscaled)")]
    public static partial void NoRungs(ILogger logger, string streamName, int height, string ladder);

    [LoggerMessage(3002, LogLevel.Warning, "Stream {StreamName}: ffmpeg (pid {Pid}) {Failure}; restart {Restart} of {MaxRestarts} in {Window} s follows in {DelaySeconds} s. ffmpeg said: {Stderr}")]
    public static partial void Crashed(ILogger logger, string streamName, int pid, string failure, int restart, int maxRestarts, double window, double delaySeconds, string stderr);

    [LoggerMessage(3003, LogLevel.Error, "Stream {StreamName}: ffmpeg failed {Restarts} times within {Window} s; transcoding stops and the stream is served as source only. Last failure: {Failure}. ffmpeg said: {Stderr}")]
    public static partial void FellBack(ILogger logger, string streamName, int restarts, double window, string failure, string stderr);

    [LoggerMessage(3004, LogLevel.Warning, "Stream {StreamName}: transcoding is {LagSeconds:0.00} s behind the source (budget {BudgetSeconds:0.00} s, speed {Speed:0.00}x); degrading to level {Level}: {Step}")]
    public static partial void Degraded(ILogger logger, string streamName, double lagSeconds, double budgetSeconds, double speed, int level, string step);

    [LoggerMessage(3005, LogLevel.Information, "Stream {StreamName}: transcoding has headroom again ({LagSeconds:0.00} s behind, speed {Speed:0.00}x); recovering to level {Level}: {Step}")]
    public static partial void Recovered(ILogger logger, string streamName, double lagSeconds, double speed, int level, string step);

    [LoggerMessage(3006, LogLevel.Warning, "Stream {StreamName}: {Active} streams are being transcoded, the cap (transcode.maxStreams) is {Cap}; this stream is served as source only")]
    public static partial void OverCap(ILogger logger, string streamName, int active, int cap);

    [LoggerMessage(3007, LogLevel.Information, "Stream {StreamName}: transcoding ended ({Restarts} restarts, {Dropped} input frames dropped)")]
    public static partial void Ended(ILogger logger, string streamName, int restarts, long dropped);

    [LoggerMessage(3008, LogLevel.Warning, "Stream {StreamName}: input frames dropped up to the next keyframe to catch up ({LagSeconds:0.00} s behind)")]
    public static partial void SkippedInput(ILogger logger, string streamName, double lagSeconds);

    [LoggerMessage(3009, LogLevel.Error, "Stream {StreamName}: transcoder failed; the stream is served as source only")]
    public static partial void Failed(ILogger logger, Exception exception, string streamName);

    [LoggerMessage(3010, LogLevel.Information, "Stream {StreamName}: rung {Rendition} dropped from the master playlist; its playlist ends in {GraceSeconds} s")]
    public static partial void RungDropped(ILogger logger, string streamName, string rendition, double graceSeconds);

    [LoggerMessage(3011, LogLevel.Information, "Stream {StreamName}: rung {Rendition} encoded at {Kbps} kbit/s instead of the ladder's {LadderKbps}: the publisher declares {SourceKbps} kbit/s of video")]
    public static partial void RungCapped(ILogger logger, string streamName, string rendition, int kbps, int ladderKbps, int sourceKbps);

    [LoggerMessage(3012, LogLevel.Information, "Stream {StreamName}: publisher away, ffmpeg flushed; transcoding resumes at the returning publisher's first keyframe")]
    public static partial void Paused(ILogger logger, string streamName);

    [LoggerMessage(3013, LogLevel.Information, "Stream {StreamName}: the returning publisher sends {Height}p; ladder re-planned from [{Before}] to [{After}]")]
    public static partial void Replanned(ILogger logger, string streamName, int height, string before, string after);
}
