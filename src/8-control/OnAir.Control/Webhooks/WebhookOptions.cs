namespace OnAir.Control.Webhooks;

/// <summary>Webhooks. Bound under <c>webhooks</c> in onair.json.</summary>
public sealed class WebhookOptions
{
    /// <summary>Receivers of stream.started, stream.reconnecting, stream.resumed and stream.ended (JSON POSTs). Default none.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary>
    /// Key of the HMAC-SHA256 signature over each body, sent as <c>X-OnAir-Signature: sha256=HEX</c>.
    /// Default none (unsigned). Prefer ONAIR_WEBHOOKS__SECRET to a file.
    /// </summary>
    public string? Secret { get; set; }

    /// <summary>Seconds a receiver has to answer one delivery. Default 5.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>Attempts per delivery before it is given up (logged). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Seconds before the first retry; each next one waits twice as long. Default 1.</summary>
    public double RetryDelaySeconds { get; set; } = 1;

    /// <summary>Deliveries waiting per receiver; beyond it new ones are dropped (logged). Default 1000.</summary>
    public int QueueCapacity { get; set; } = 1000;

    /// <summary>
    /// Asked before each publish is accepted (POST <c>{"event": "stream.publish", "stream", "remote"}</c>):
    /// a 2xx answer lets it publish, anything else refuses it with an RTMP error. Default none.
    /// </summary>
    public string? OnPublishUrl { get; set; }

    /// <summary>Seconds the on_publish hook has to answer. Default 3.</summary>
    public double OnPublishTimeoutSeconds { get; set; } = 3;

    /// <summary>Whether a publish goes ahead when the hook cannot be reached or times out (a non-2xx answer always refuses). Default false: refused.</summary>
    public bool OnPublishAllowOnError { get; set; }
}
