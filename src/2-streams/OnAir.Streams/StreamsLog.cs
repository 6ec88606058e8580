using Microsoft.Extensions.Logging;

namespace OnAir.Streams;

/// <summary>Structured stream lifecycle logs, stable event ids 4000-4099.</summary>
internal static partial class StreamsLog
{
    [LoggerMessage(4000, LogLevel.Information, "Stream {StreamName} started (session {SessionId})")]
    public static partial void Started(ILogger logger, string streamName, string sessionId);

    [LoggerMessage(4001, LogLevel.Information, "Stream {StreamName} reconnecting (session {SessionId}): {Reason}; playlists stay live for {GraceSeconds} s (lifecycle.reconnectGraceSeconds) while the same key may publish again")]
    public static partial void Reconnecting(ILogger logger, string streamName, string sessionId, string reason, double graceSeconds);

    [LoggerMessage(4002, LogLevel.Information, "Stream {StreamName} resumed (session {SessionId}) after {AwaySeconds:0.0} s away; reconnect {Reconnects}")]
    public static partial void Resumed(ILogger logger, string streamName, string sessionId, double awaySeconds, int reconnects);

    [LoggerMessage(4003, LogLevel.Information, "Stream {StreamName} ended (session {SessionId}): {Reason}")]
    public static partial void Ended(ILogger logger, string streamName, string sessionId, string reason);
}
