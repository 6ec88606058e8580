namespace OnAir.Server;

/// <summary>Host logs, stable event ids 100-199.</summary>
internal static partial class ServerLog
{
    [LoggerMessage(100, LogLevel.Information, "OnAir is up. Publish: {PublishUrl}  Watch: {WatchUrl}  Dashboard: {DashboardUrl}  Data: {DataDir}")]
    public static partial void Ready(ILogger logger, string publishUrl, string watchUrl, string dashboardUrl, string dataDir);

    [LoggerMessage(102, LogLevel.Information, "Low-Latency HLS (--ll-hls) is on, but parts and blocking reload are not in this build yet: playlists are regular live HLS (about 3 target durations of latency)")]
    public static partial void LowLatencyPending(ILogger logger);
}
