using Microsoft.Extensions.Logging;

namespace OnAir.Ingest.Whip;

/// <summary>Structured WHIP ingest logs, stable event ids 1200-1299.</summary>
internal static partial class WhipLog
{
    [LoggerMessage(1200, LogLevel.Information, "WebRTC (WHIP) ingest: POST http://HOST/whip/NAME; media on UDP {EndPoint}")]
    public static partial void Listening(ILogger logger, string endPoint);

    [LoggerMessage(1201, LogLevel.Warning, "WHIP publish to '{StreamName}' from {Remote} refused ({Status}): {Reason}")]
    public static partial void Refused(ILogger logger, string streamName, string? remote, int status, string reason);

    [LoggerMessage(1202, LogLevel.Information, "Stream {StreamName} is live (session {StreamSessionId}): WHIP publisher {SessionId} from {Remote} ({Codecs})")]
    public static partial void PublishStarted(ILogger logger, string streamName, string streamSessionId, string sessionId, string? remote, string codecs);

    [LoggerMessage(1203, LogLevel.Information, "Stream {StreamName}: WHIP publisher {SessionId} left: {Reason}; {Lost} RTP packets lost, {Dropped} video frames dropped")]
    public static partial void PublishEnded(ILogger logger, string streamName, string sessionId, string reason, long lost, long dropped);

    [LoggerMessage(1204, LogLevel.Information, "Stream {StreamName} resumed (session {StreamSessionId}): WHIP publisher {SessionId} from {Remote} continues its playlists")]
    public static partial void PublishResumed(ILogger logger, string streamName, string streamSessionId, string sessionId, string? remote);

    [LoggerMessage(1205, LogLevel.Warning, "Stream {StreamName}: the Opus to AAC ffmpeg of WHIP session {SessionId} reported: {Error}")]
    public static partial void AudioFailed(ILogger logger, string streamName, string sessionId, string error);

    [LoggerMessage(1206, LogLevel.Warning, "{Count} more WHIP publishes were refused in the last {Seconds} s, not logged one by one (see onair_whip metrics)")]
    public static partial void RefusalsSuppressed(ILogger logger, long count, double seconds);
}
