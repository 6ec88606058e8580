using System.Net.Http.Headers;
using OnAir.EndToEnd.Tests.Support;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// What an anonymous client can reach, and what the server lets out: every URL the server answers
/// with every way of encoding a path escape reads nothing outside what it serves (a file planted
/// next to the data directory and in it, the stream keys' database onair.db, /etc/passwd) and never fails
/// with a 5xx; stream keys, the admin token and the webhook secret reach neither the logs, the API,
/// the metrics nor the webhooks, nor do keys that were refused.
/// </summary>
public class SecurityTests
{
    private const string Planted = "planted-7c4e1b9a";
    private const string Stream = "open";

    /// <summary>Every route, with X where a client's segment goes.</summary>
    private static readonly string[] s_routes =
    [
        "/{X}", "/watch/{X}", "/assets/{X}",
        "/live/{X}", "/live/{X}/master.m3u8", "/live/{X}/source/playlist.m3u8", $"/live/{Stream}/{{X}}/playlist.m3u8", $"/live/{Stream}/source/{{X}}",
        "/vod/{X}", "/vod/{X}/master.m3u8", "/vod/{X}/source/playlist.m3u8", "/vod/x/{X}/media.mp4", "/vod/x/source/{X}",
        "/api/v1/streams/{X}", "/api/v1/recordings/{X}", "/api/v1/keys/{X}", "/whip/{X}", "/healthz/{X}", "/metrics/{X}",
    ];

    /// <summary>Escapes up the tree as scanners send them: plain, percent-encoded, double-encoded, backslashes, overlong UTF-8, %u, NUL, path parameters.</summary>
    private static IEnumerable<string> Escapes()
    {
        string[] ups = ["..%2f", "%2e%2e%2f", "%2e%2e/", "..%5c", "%252e%252e%252f", "%c0%ae%c0%ae%c0%af", ".%2e/", "..;/", "%u002e%u002e%u2215", "....//", "..%252f"];
        foreach (var up in ups)
        {
            for (var depth = 1; depth <= 6; depth++)
            {
                var climb = string.Concat(Enumerable.Repeat(up, depth));
                yield return climb + Planted + ".txt";
                yield return climb + "data%2f" + Planted + ".txt";
                yield return climb + "onair.db";
                yield return climb + "data%2fonair.db";
            }

            yield return string.Concat(Enumerable.Repeat(up, 10)) + "etc%2fpasswd";
            yield return string.Concat(Enumerable.Repeat(up, 10)) + "etc/passwd";
        }

        yield return "..";
        yield return "%2e%2e";
        yield return "%00";
        yield return "..%00.m3u8";
        yield return "onair.db";
        yield return "%2fetc%2fpasswd";
    }

    [Fact]
    public async Task No_encoding_of_a_path_escape_reads_anything_outside_what_the_server_serves()
    {
        var root = Directory.CreateTempSubdirectory("onair-escape-").FullName;
        try
        {
            var data = Path.Combine(root, "data");
            Directory.CreateDirectory(data);
            await File.WriteAllTextAsync(Path.Combine(root, Planted + ".txt"), Planted + "-beside");
            await File.WriteAllTextAsync(Path.Combine(data, Planted + ".txt"), Planted + "-inside");
            await using var server = await OnAirServer.StartAsync(o => o.DataDir = data);
            await using var publisher = Publisher.Ffmpeg(server.RtmpUrl(Stream), seconds: 30);
            await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri(Stream), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a first segment");
            using (var key = await server.Http.PostAsync("api/v1/keys", new StringContent("""{"name":"other"}""", new MediaTypeHeaderValue("application/json"))))
            {
                key.EnsureSuccessStatusCode(); // the keys' database exists on disk
            }

            var leaks = new List<string>();
            var requests = 0;
            foreach (var route in s_routes)
            {
                foreach (var escape in Escapes())
                {
                    var target = route.Replace("{X}", escape, StringComparison.Ordinal);
                    var (status, response) = await RawHttp.GetAsync(server.Options.HttpPort, target);
                    requests++;
                    if (status is 0 or >= 500 || response.Contains(Planted + "-", StringComparison.Ordinal) || response.Contains("root:x:0:0", StringComparison.Ordinal) || response.Contains("SQLite format 3", StringComparison.Ordinal))
                    {
                        leaks.Add($"{status} {target}");
                    }
                }
            }

            Assert.True(leaks.Count == 0, $"{leaks.Count} of {requests} requests failed or leaked:\n{string.Join('\n', leaks.Take(40))}");
            Assert.True(requests > 1000);
            var (liveStatus, _) = await RawHttp.GetAsync(server.Options.HttpPort, $"/live/{Stream}/source/playlist.m3u8");
            Assert.Equal(200, liveStatus); // the probe itself reaches what is served
            Assert.False(publisher.HasExited, publisher.StdErr);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Keys_tokens_and_the_webhook_secret_never_reach_logs_api_metrics_or_webhooks()
    {
        const string key = "sk-live-7f3a9c2e5b8d";
        const string wrongKey = "sk-live-0000000wrong";
        const string admin = "adm-4e9b2c7f1a6d0e3b";
        const string wrongToken = "adm-0000000000wrong";
        const string hookSecret = "whs-8c1f5a3e9d2b6a4c";
        string[] secrets = [key, wrongKey, admin, wrongToken, hookSecret];
        await using var hooks = await HookReceiver.StartAsync();
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Streams.StreamKeys = new(StringComparer.Ordinal) { [key] = "demo" };
            o.Api.AdminToken = admin;
            o.Webhooks.Urls = [hooks.Url];
            o.Webhooks.Secret = hookSecret;
        });
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", admin);

        // Published with the key over RTMP and SRT; refused with a wrong one over both.
        await using var rtmp = Publisher.Ffmpeg(server.RtmpUrl(key), seconds: 30);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("demo"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "the stream under its name");
        await using (var refused = Publisher.Ffmpeg(server.RtmpUrl(wrongKey), seconds: 5))
        {
            await refused.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        await using (var refused = Publisher.Ffmpeg(server.SrtUrl(wrongKey), seconds: 5, format: "mpegts"))
        {
            await refused.WaitForExitAsync(TimeSpan.FromSeconds(15));
        }

        await hooks.NextAsync("stream.started", TimeSpan.FromSeconds(10));
        var (unauthorized, _) = await RawHttp.GetAsync(server.Options.HttpPort, "/api/v1/streams", $"Bearer {wrongToken}");
        Assert.Equal(401, unauthorized);

        // Everything the server says about it.
        var said = new List<string>
        {
            await server.Http.GetStringAsync("api/v1/streams"),
            await server.Http.GetStringAsync("api/v1/streams/demo"),
            await server.Http.GetStringAsync("metrics"),
            await server.Http.GetStringAsync(server.MasterUri("demo")),
            await server.Http.GetStringAsync("/"),
        };
        said.AddRange(hooks.Calls.Select(c => System.Text.Encoding.UTF8.GetString(c.Body) + c.Signature));
        said.AddRange(server.Logs.Lines);
        Assert.Contains(server.Logs.Lines, l => l.Contains("refused", StringComparison.Ordinal)); // the refusals were logged, without the keys
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(said, s => s.Contains(secret, StringComparison.Ordinal));
        }
    }
}
