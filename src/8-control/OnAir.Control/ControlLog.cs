using Microsoft.Extensions.Logging;

namespace OnAir.Control;

/// <summary>Structured control-plane logs (API, keys, webhooks), stable event ids 5000-5099.</summary>
internal static partial class ControlLog
{
    [LoggerMessage(5000, LogLevel.Information, "Stream key {KeyId} created for stream {StreamName}")]
    public static partial void KeyCreated(ILogger logger, string keyId, string streamName);

    [LoggerMessage(5001, LogLevel.Information, "Stream key {KeyId} revoked: refused from its next publish on")]
    public static partial void KeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(5003, LogLevel.Warning, "Webhook {Event} for stream {StreamName} to {Url} failed (attempt {Attempt} of {MaxAttempts}): {Reason}; next attempt in {RetrySeconds} s")]
    public static partial void WebhookRetry(ILogger logger, string @event, string streamName, string url, int attempt, int maxAttempts, string reason, double retrySeconds);

    [LoggerMessage(5004, LogLevel.Error, "Webhook {Event} for stream {StreamName} to {Url} given up after {MaxAttempts} attempts: {Reason}. Check that the receiver is up (webhooks.urls)")]
    public static partial void WebhookGaveUp(ILogger logger, string @event, string streamName, string url, int maxAttempts, string reason);

    [LoggerMessage(5005, LogLevel.Warning, "Webhook queue full ({Capacity} deliveries): {Event} for stream {StreamName} dropped; the receivers are too slow or down")]
    public static partial void WebhookDropped(ILogger logger, string @event, string streamName, int capacity);

    [LoggerMessage(5006, LogLevel.Warning, "Publish of stream {StreamName} refused by the on_publish hook {Url}: {Reason}")]
    public static partial void PublishHookRefused(ILogger logger, string streamName, string url, string reason);
}
