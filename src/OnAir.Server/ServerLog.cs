namespace OnAir.Server;

/// <summary>Host logs, stable event ids 100-199.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(100, LogLevel.Information, "OnAir is up. Publish: {PublishUrl}  Watch: {WatchUrl}  Dashboard: {DashboardUrl}  Data: {DataDir}")]
    public static partial void Ready(ILogger logger, string publishUrl, string watchUrl, string dashboardUrl, string dataDir);

    [LoggerMessage(101, LogLevel.Information, "RTMPS ingest: {PublishUrl}")]
    public static partial void RtmpsReady(ILogger logger, string publishUrl);

    [LoggerMessage(102, LogLevel.Information, "SRT ingest: {PublishUrl}")]
    public static partial void SrtReady(ILogger logger, string publishUrl);

    [LoggerMessage(103, LogLevel.Warning, "The REST API is off: the server listens on {Bind}, beyond this machine, and no api.adminToken is set. Set one (onair.json api.adminToken or ONAIR_API__ADMINTOKEN) to use /api/v1")]
    public static partial void ApiDisabled(ILogger logger, string bind);

    [LoggerMessage(104, LogLevel.Warning, "{Listener} connection from {Remote} refused: its address already holds {Max} connections ({Setting}); raise it if many clients share that address (a NAT, a proxy)")]
    public static partial void ConnectionRefused(ILogger logger, string listener, string remote, int max, string setting);

    [LoggerMessage(105, LogLevel.Warning, "{Count} more {Listener} connections were refused in the last {Seconds} s for holding {Max} connections from one address ({Setting}), not logged one by one")]
    public static partial void RefusalsSuppressed(ILogger logger, long count, string listener, double seconds, string setting, int max);
}
