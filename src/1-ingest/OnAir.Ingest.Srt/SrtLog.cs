using Microsoft.Extensions.Logging;

namespace OnAir.Ingest.Srt;

/// <summary>Structured SRT ingest logs, stable event ids 1100-1199.</summary>
internal static partial class SrtLog
{
    [LoggerMessage(1100, LogLevel.Information, "SRT ingest listening on {EndPoint} (latency {LatencyMs} ms, {Encryption})")]
    public static partial void Listening(ILogger logger, string endPoint, int latencyMs, string encryption);

    [LoggerMessage(1101, LogLevel.Warning, "SRT caller {Remote} rejected at the handshake: {Reason}")]
    public static partial void Rejected(ILogger logger, string? remote, string reason);

    [LoggerMessage(1102, LogLevel.Debug, "SRT connection {ConnectionId} from {Remote} accepted for key of stream id length {Length}")]
    public static partial void Accepted(ILogger logger, string connectionId, string? remote, int length);

    [LoggerMessage(1103, LogLevel.Information, "Stream {StreamName} is live (session {StreamSessionId}): SRT publisher {ConnectionId} from {Remote}")]
    public static partial void PublishStarted(ILogger logger, string streamName, string streamSessionId, string connectionId, string? remote);

    [LoggerMessage(1104, LogLevel.Information, "Stream {StreamName} resumed (session {StreamSessionId}): SRT publisher {ConnectionId} from {Remote} continues its playlists")]
    public static partial void PublishResumed(ILogger logger, string streamName, string streamSessionId, string connectionId, string? remote);

    [LoggerMessage(1105, LogLevel.Warning, "Publish of '{StreamName}' by SRT connection {ConnectionId} refused: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string streamName, string connectionId, string reason);

    [LoggerMessage(1106, LogLevel.Warning, "SRT connection {ConnectionId} from {Remote} closed: {Reason}")]
    public static partial void Closed(ILogger logger, string connectionId, string? remote, string reason);

    [LoggerMessage(1107, LogLevel.Information, "Stream {StreamName}: SRT publisher {ConnectionId} left ({Reason}); {Lost} packets lost, {Dropped} dropped, RTT {RttMs:0.0} ms")]
    public static partial void PublishEnded(ILogger logger, string streamName, string connectionId, string reason, long lost, long dropped, double rttMs);

    [LoggerMessage(1108, LogLevel.Error, "SRT connection {ConnectionId}: unexpected failure; the connection is closed, other streams are unaffected")]
    public static partial void Unexpected(ILogger logger, Exception exception, string connectionId);

    [LoggerMessage(1109, LogLevel.Debug, "libsrt: {Message}")]
    public static partial void Native(ILogger logger, string message);

    [LoggerMessage(1110, LogLevel.Warning, "{Count} more SRT callers were rejected at the handshake in the last {Seconds} s, not logged one by one")]
    public static partial void RejectionsSuppressed(ILogger logger, long count, double seconds);

    [LoggerMessage(1111, LogLevel.Warning, "{Count} more SRT connections were closed in the last {Seconds} s, not logged one by one")]
    public static partial void ClosesSuppressed(ILogger logger, long count, double seconds);
}
