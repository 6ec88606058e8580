using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>The REST API, stream keys, webhooks and the event stream against a real server and real publishers.</summary>
public class ApiTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_key_made_through_the_API_publishes_under_its_name_survives_a_restart_and_once_revoked_is_refused()
    {
        await using var first = await OnAirServer.StartAsync();
        using var created = await first.Http.PostAsync("api/v1/keys", Json("""{"name": "studio"}"""));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement;
        var secret = key.GetProperty("key").GetString()!;
        var id = key.GetProperty("id").GetString()!;
        Assert.Equal("studio", key.GetProperty("name").GetString());
        Assert.True(secret.Length >= 40, "a 32-byte random secret");

        var listed = await first.Http.GetStringAsync("api/v1/keys");
        Assert.Contains(id, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal); // shown once, at creation

        // With a key in the database, only keys publish: the name itself or a guess is refused.
        Assert.Equal("NetStream.Publish.BadName", await PublishCodeAsync(first, "studio"));
        Assert.Equal("NetStream.Publish.Start", await PublishCodeAsync(first, secret));
        await first.StopAsync();

        // The database is on disk under --data-dir: the key works after a restart.
        await using var second = await OnAirServer.StartAsync(o => o.DataDir = first.Options.DataDir);
        Assert.Equal("NetStream.Publish.Start", await PublishCodeAsync(second, secret));
        var status = await StreamApi.WaitForAsync(second, "studio", _ => true, s_wait, "the stream under the key's name");
        Assert.Equal("studio", status.Name);

        using var revoked = await second.Http.DeleteAsync($"api/v1/keys/{id}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        Assert.Equal("NetStream.Publish.BadName", await PublishCodeAsync(second, secret));
        using var again = await second.Http.DeleteAsync($"api/v1/keys/{id}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.DoesNotContain(first.Logs.Lines.Concat(second.Logs.Lines), l => l.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Bad_requests_get_json_errors_and_change_nothing()
    {
        await using var server = await OnAirServer.StartAsync();
        foreach (var body in new[] { "not json", "[]", """{"name": 5}""", """{"nom": "x"}""", new string('x', 5000) })
        {
            using var response = await server.Http.PostAsync("api/v1/keys", Json(body));
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("invalid_body", await ErrorCodeAsync(response));
        }

        using (var badName = await server.Http.PostAsync("api/v1/keys", Json("""{"name": "../etc"}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
            Assert.Equal("invalid_name", await ErrorCodeAsync(badName));
        }

        using (var unknown = await server.Http.GetAsync("api/v1/streams/nobody"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Equal("stream_not_found", await ErrorCodeAsync(unknown));
        }

        using (var kick = await server.Http.DeleteAsync("api/v1/streams/nobody"))
        {
            Assert.Equal(HttpStatusCode.NotFound, kick.StatusCode);
        }

        using (var route = await server.Http.GetAsync("api/v1/nothing-here"))
        {
            Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
            Assert.Equal("not_found", await ErrorCodeAsync(route));
        }

        Assert.Equal("[]", await server.Http.GetStringAsync("api/v1/keys"));
        Assert.Equal("NetStream.Publish.Start", await PublishCodeAsync(server, "anything")); // still open: no key was made
    }

    [Fact]
    public async Task A_kick_disconnects_the_publisher_and_ends_every_playlist_at_once()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Ladder = "passthrough");
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("kicked"), seconds: 60);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("kicked"), p => p.Segments.Count >= 1, s_wait, "a segment");

        using var kick = await server.Http.DeleteAsync("api/v1/streams/kicked");
        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);

        Assert.NotEqual(0, await publisher.WaitForExitAsync(s_wait)); // ffmpeg sees its connection closed
        var ended = await StreamApi.GetAsync(server, "kicked");
        Assert.Equal("ended", ended!.State);
        var playlist = MediaPlaylist.Parse(await server.Http.GetStringAsync(server.PlaylistUri("kicked")));
        Assert.True(playlist.Ended);
        Assert.Contains(server.Logs.Lines, l => l.Contains("ended through the API", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_an_admin_token_the_api_needs_it_and_hls_stays_open()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Api.AdminToken = "adm1n-t0ken");
        using (var anonymous = await server.Http.GetAsync("api/v1/streams"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            Assert.Equal("unauthorized", await ErrorCodeAsync(anonymous));
        }

        using (var wrong = new HttpRequestMessage(HttpMethod.Post, "api/v1/keys") { Content = Json("""{"name": "x"}""") })
        {
            wrong.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "adm1n-t0keX");
            using var response = await server.Http.SendAsync(wrong);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        using var authorized = new HttpRequestMessage(HttpMethod.Get, "api/v1/streams");
        authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "adm1n-t0ken");
        using (var response = await server.Http.SendAsync(authorized))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("[]", await response.Content.ReadAsStringAsync());
        }

        using var health = await server.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task Webhooks_are_signed_a_failing_receiver_is_retried_and_a_hanging_one_delays_no_segment()
    {
        await using var flaky = await HookReceiver.StartAsync();
        await using var hanging = await HookReceiver.StartAsync();
        var failures = 2;
        flaky.Answer = _ => Interlocked.Decrement(ref failures) >= 0 ? 500 : 204;
        hanging.Answer = _ => 0;
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.Webhooks.Urls = [flaky.Url, hanging.Url];
            o.Webhooks.Secret = "hook-s3cret";
            o.Webhooks.RetryDelaySeconds = 0.2;
            o.Webhooks.TimeoutSeconds = 30; // the hanging receiver holds each delivery this long
        });

        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("hooked"), seconds: 10);
        var started = await flaky.NextAsync("stream.started", s_wait);
        var retried = new[] { started, await flaky.NextAsync(s_wait), await flaky.NextAsync(s_wait) };
        Assert.All(retried, c => Assert.Equal(started.Delivery, c.Delivery)); // one delivery, tried three times
        Assert.All(retried, c => Assert.Equal(Signature(c.Body, "hook-s3cret"), c.Signature));
        var json = JsonDocument.Parse(started.Body).RootElement;
        Assert.Equal("stream.started", json.GetProperty("event").GetString());
        Assert.Equal("hooked", json.GetProperty("stream").GetString());
        Assert.False(string.IsNullOrEmpty(json.GetProperty("sessionId").GetString()));

        // The hanging receiver holds its first delivery; segments come every 2 s regardless.
        Assert.Equal("stream.started", (await hanging.NextAsync(s_wait)).Event);
        var times = new List<DateTime>();
        var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("hooked"), p =>
        {
            times.Add(DateTime.UtcNow);
            return p.Ended;
        }, TimeSpan.FromSeconds(25), "ENDLIST after the publisher finished");
        Assert.InRange(playlist.Segments.Count, 4, 6);
        Assert.Contains(server.Logs.Lines, l => l.Contains("failed (attempt 1 of 5): HTTP 500", StringComparison.Ordinal));

        var ended = await flaky.NextAsync("stream.ended", s_wait);
        Assert.Equal(Signature(ended.Body, "hook-s3cret"), ended.Signature);
        Assert.Contains("\"reason\":\"the publisher unpublished\"", Encoding.UTF8.GetString(ended.Body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_on_publish_hook_can_refuse_a_publish_with_an_rtmp_error()
    {
        await using var hook = await HookReceiver.StartAsync();
        hook.Answer = call => Encoding.UTF8.GetString(call.Body).Contains("\"stream\":\"banned\"", StringComparison.Ordinal) ? 403 : 200;
        await using var server = await OnAirServer.StartAsync(o => o.Webhooks.OnPublishUrl = hook.Url);

        Assert.Equal("NetStream.Publish.BadName", await PublishCodeAsync(server, "banned"));
        var asked = await hook.NextAsync(s_wait);
        Assert.Equal("stream.publish", asked.Event);
        Assert.Null(await StreamApi.GetAsync(server, "banned"));
        Assert.Contains(server.Logs.Lines, l => l.Contains("refused by the on_publish hook", StringComparison.Ordinal) && l.Contains("HTTP 403", StringComparison.Ordinal));

        Assert.Equal("NetStream.Publish.Start", await PublishCodeAsync(server, "welcome"));
        await hook.DisposeAsync(); // the hook is gone: publishes are refused (webhooks.onPublishAllowOnError is off)
        Assert.Equal("NetStream.Publish.BadName", await PublishCodeAsync(server, "later"));
    }

    [Fact]
    public async Task The_event_stream_tells_a_dashboard_of_each_start_and_end()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Ladder = "passthrough");
        using var events = await server.Http.GetAsync("api/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", events.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await events.Content.ReadAsStreamAsync());
        Assert.StartsWith(":", await reader.ReadLineAsync());

        var tags = FlvFile.ReadTags(TestVectors.Path("h264-aac-320x240-2s.flv"));
        await using (var client = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort))
        {
            await client.HandshakeAsync();
            Assert.Equal("NetStream.Publish.Start", await client.PublishAsync("dash", s_wait));
            await client.SendFlvTagsAsync(tags, 0);
            await client.LeaveAsync(s_wait);
        }

        var seen = new List<string>();
        using var cts = new CancellationTokenSource(s_wait);
        while (!seen.Contains("stream.ended"))
        {
            var line = await reader.ReadLineAsync(cts.Token);
            if (line?.StartsWith("event: stream.", StringComparison.Ordinal) == true)
            {
                seen.Add(line["event: ".Length..]);
                var data = await reader.ReadLineAsync(cts.Token);
                Assert.Contains("\"stream\":\"dash\"", data, StringComparison.Ordinal);
            }
        }

        Assert.Equal(["stream.started", "stream.ended"], seen);
    }

    private static async Task<string> PublishCodeAsync(OnAirServer server, string key)
    {
        await using var client = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort);
        await client.HandshakeAsync();
        var code = await client.PublishAsync(key, s_wait);
        if (code == "NetStream.Publish.Start")
        {
            await client.LeaveAsync(s_wait);
        }

        return code;
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task<string?> ErrorCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("code").GetString();
    }

    private static string Signature(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
}
