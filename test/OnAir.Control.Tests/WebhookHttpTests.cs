using System.Security.Cryptography;
using System.Text;
using OnAir.Control.Webhooks;

namespace OnAir.Control.Tests;

/// <summary>What a receiver verifies: the signature is HMAC-SHA256 of the exact body under the shared secret.</summary>
public class WebhookHttpTests
{
    [Fact]
    public async Task The_request_carries_the_body_the_event_a_delivery_id_and_a_verifiable_signature()
    {
        var body = Encoding.UTF8.GetBytes("{\"event\":\"stream.started\",\"stream\":\"cam\"}");
        using var request = WebhookHttp.Request("http://127.0.0.1:9/hook", "stream.started", "d1", body, "hook-secret");

        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(body, await request.Content!.ReadAsByteArrayAsync());
        Assert.Equal("application/json", request.Content.Headers.ContentType!.MediaType);
        Assert.Equal("stream.started", Assert.Single(request.Headers.GetValues("X-OnAir-Event")));
        Assert.Equal("d1", Assert.Single(request.Headers.GetValues("X-OnAir-Delivery")));
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("hook-secret"), body));
        Assert.Equal(expected, Assert.Single(request.Headers.GetValues(WebhookHttp.SignatureHeader)));
    }

    [Fact]
    public void Without_a_secret_nothing_is_signed()
    {
        using var request = WebhookHttp.Request("http://127.0.0.1:9/hook", "stream.ended", "d2", [], secret: null);
        Assert.False(request.Headers.Contains(WebhookHttp.SignatureHeader));
    }

    [Fact]
    public void A_changed_body_or_secret_changes_the_signature()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        Assert.NotEqual(WebhookHttp.Signature(body, "a"), WebhookHttp.Signature(body, "b"));
        Assert.NotEqual(WebhookHttp.Signature(body, "a"), WebhookHttp.Signature(Encoding.UTF8.GetBytes("{ }"), "a"));
    }
}
