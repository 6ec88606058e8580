using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Streams;

namespace OnAir.Control.Webhooks;

/// <summary>
/// The on_publish hook: before a publish is accepted, POSTs <c>{"event": "stream.publish", "stream", "remote"}</c>
/// (signed like every webhook) to <see cref="WebhookOptions.OnPublishUrl"/>. A 2xx answer lets the
/// publish go on; any other answer refuses it, and so do a timeout or an unreachable hook unless
/// <see cref="WebhookOptions.OnPublishAllowOnError"/> is set.
/// </summary>
public sealed class PublishHook : IPublishAuthorizer, IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly WebhookOptions _options;
    private readonly ILogger<PublishHook> _logger;
    private readonly HttpClient _http = WebhookHttp.CreateClient();

    public PublishHook(IOptions<WebhookOptions> options, ILogger<PublishHook> logger)
    {
        _options = options.Value;
        _logger = logger;
    }

    public async ValueTask<string?> RefusalAsync(string name, string? remote)
    {
        var url = _options.OnPublishUrl!;
        var body = JsonSerializer.SerializeToUtf8Bytes(new { @event = "stream.publish", stream = name, remote }, s_json);
        var (answered, failure) = await WebhookHttp.PostAsync(_http, url, "stream.publish", Guid.NewGuid().ToString("N"), body, _options.Secret, TimeSpan.FromSeconds(_options.OnPublishTimeoutSeconds), "webhooks.onPublishTimeoutSeconds", CancellationToken.None).ConfigureAwait(false);
        var refusal = answered || !_options.OnPublishAllowOnError ? failure : null;
        if (refusal is not null)
        {
            ControlLog.PublishHookRefused(_logger, name, url, refusal);
        }

        return refusal;
    }

    public void Dispose() => _http.Dispose();
}
