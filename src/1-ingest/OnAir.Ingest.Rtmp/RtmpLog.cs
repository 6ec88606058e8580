using Microsoft.Extensions.Logging;

namespace OnAir.Ingest.Rtmp;

/// <summary>Structured RTMP ingest logs, stable event ids 1000-1099.</summary>
internal static partial class RtmpLog
{
    [LoggerMessage(1000, LogLevel.Debug, "RTMP connection {SessionId} from {Remote} accepted")]
    public static partial void Accepted(ILogger logger, string sessionId, string? remote);

    [LoggerMessage(1001, LogLevel.Debug, "RTMP connection {SessionId} completed the {HandshakeKind} handshake")]
    public static partial void HandshakeDone(ILogger logger, string sessionId, string handshakeKind);

    [LoggerMessage(1002, LogLevel.Information, "RTMP connection {SessionId} connected to app '{App}'")]
    public static partial void Connected(ILogger logger, string sessionId, string app);

    [LoggerMessage(1003, LogLevel.Information, "Stream {StreamName} is live (session {StreamSessionId}): publisher {SessionId} from {Remote}")]
    public static partial void PublishStarted(ILogger logger, string streamName, string streamSessionId, string sessionId, string? remote);

    [LoggerMessage(1012, LogLevel.Information, "Stream {StreamName} resumed (session {StreamSessionId}): publisher {SessionId} from {Remote} continues its playlists")]
    public static partial void PublishResumed(ILogger logger, string streamName, string streamSessionId, string sessionId, string? remote);

    [LoggerMessage(1004, LogLevel.Warning, "Publish of '{StreamName}' by {SessionId} refused: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string streamName, string sessionId, string reason);

    [LoggerMessage(1005, LogLevel.Information, "Stream {StreamName}: publisher {SessionId} left ({How}); the stream has {Frames} source frames")]
    public static partial void PublishEnded(ILogger logger, string streamName, string sessionId, string how, long frames);

    [LoggerMessage(1006, LogLevel.Warning, "RTMP connection {SessionId} from {Remote} closed: {Reason}")]
    public static partial void ProtocolError(ILogger logger, string sessionId, string? remote, string reason);

    [LoggerMessage(1007, LogLevel.Information, "Stream {StreamName} metadata: {Metadata}")]
    public static partial void Metadata(ILogger logger, string streamName, string metadata);

    [LoggerMessage(1008, LogLevel.Debug, "RTMP connection {SessionId}: command '{Command}' ignored")]
    public static partial void CommandIgnored(ILogger logger, string sessionId, string command);

    [LoggerMessage(1009, LogLevel.Debug, "RTMP connection {SessionId} closed by peer")]
    public static partial void Closed(ILogger logger, string sessionId);

    [LoggerMessage(1010, LogLevel.Information, "Stream {StreamName}: codec configuration {Codec} {Details}")]
    public static partial void CodecConfigured(ILogger logger, string streamName, string codec, string details);

    [LoggerMessage(1011, LogLevel.Error, "RTMP connection {SessionId}: unexpected failure; the connection is closed, other streams are unaffected")]
    public static partial void Unexpected(ILogger logger, Exception exception, string sessionId);

    [LoggerMessage(1013, LogLevel.Warning, "RTMPS connection {SessionId} from {Remote} closed: its TLS handshake failed or timed out (a plain rtmp:// client on the RTMPS port, or a certificate the client refused)")]
    public static partial void TlsHandshakeFailed(ILogger logger, string sessionId, string? remote);

    [LoggerMessage(1014, LogLevel.Warning, "{Count} more RTMP connections were closed for protocol errors or timeouts in the last {Seconds} s, not logged one by one (a flood of bad or idle clients: see onair_rtmp metrics, or cap them with rtmp.maxConnectionsPerAddress)")]
    public static partial void ClosesSuppressed(ILogger logger, long count, double seconds);

    [LoggerMessage(1015, LogLevel.Warning, "{Count} more RTMPS connections failed their TLS handshake in the last {Seconds} s, not logged one by one")]
    public static partial void TlsFailuresSuppressed(ILogger logger, long count, double seconds);
}
