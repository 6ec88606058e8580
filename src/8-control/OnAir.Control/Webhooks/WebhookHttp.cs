using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OnAir.Control.Webhooks;

/// <summary>What one webhook POST came to: <see cref="Answered"/> when the receiver sent a status, <see cref="Failure"/> null on 2xx.</summary>
public readonly record struct WebhookOutcome(bool Answered, string? Failure);

/// <summary>
/// Webhook requests, for the lifecycle webhooks and the on_publish hook alike: the JSON body, the
/// event and delivery headers, the HMAC-SHA256 signature over the body when a secret is set, and
/// one bounded attempt at sending it.
/// </summary>
public static class WebhookHttp
{
    public const string SignatureHeader = "X-OnAir-Signature";

    /// <summary>A client for webhook deliveries: pooled connections renewed every few minutes (DNS changes), timeouts set per request.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    public static HttpRequestMessage Request(string url, string eventName, string deliveryId, byte[] body, string? secret)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-OnAir-Event", eventName);
        request.Headers.Add("X-OnAir-Delivery", deliveryId);
        if (!string.IsNullOrEmpty(secret))
        {
            request.Headers.Add(SignatureHeader, Signature(body, secret));
        }

        return request;
    }

    /// <summary><c>sha256=</c> and the lowercase hex HMAC-SHA256 of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static string Signature(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>
    /// POSTs once: a non-2xx status is a failure the receiver answered; no answer within
    /// <paramref name="timeout"/> (named by <paramref name="timeoutKey"/>, the option to raise) or an
    /// unreachable receiver is one it did not.
    /// </summary>
    public static async Task<WebhookOutcome> PostAsync(HttpClient http, string url, string eventName, string deliveryId, byte[] body, string? secret, TimeSpan timeout, string timeoutKey, CancellationToken stopping)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = Request(url, eventName, deliveryId, body, secret);
            using var response = await http.SendAsync(request, deadline.Token).ConfigureAwait(false);
            return new WebhookOutcome(true, response.IsSuccessStatusCode ? null : $"HTTP {(int)response.StatusCode}");
        }
        catch (OperationCanceledException) when (!stopping.IsCancellationRequested)
        {
            return new WebhookOutcome(false, $"no answer within {timeout.TotalSeconds} s ({timeoutKey})");
        }
        catch (HttpRequestException ex)
        {
            return new WebhookOutcome(false, $"unreachable ({ex.Message})");
        }
    }
}
