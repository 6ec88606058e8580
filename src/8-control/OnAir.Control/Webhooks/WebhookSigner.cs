using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace OnAir.Control.Webhooks;

/// <summary>Builds a webhook request: the JSON body, the event and delivery headers, and the HMAC-SHA256 signature over the body when a secret is set.</summary>
public static class WebhookSigner
{
    /// <summary>A client for webhook deliveries: pooled connections renewed every few minutes (DNS changes), timeouts set per request.</summary>
    public static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { Timeout = Timeout.InfiniteTimeSpan };

    public const string SignatureHeader = "X-OnAir-Signature";

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
}
