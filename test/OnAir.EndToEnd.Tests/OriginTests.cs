using System.Net;
using OnAir.EndToEnd.Tests.Support;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>The HTTP surface of CONTRACT.md: content types, CORS, cache headers, 404s, no path escape.</summary>
public class OriginTests
{
    [Fact]
    public async Task Playlists_and_segments_carry_content_types_CORS_and_cache_headers()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("hdr"), seconds: 8);
        var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("hdr"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a segment");

        using var master = await GetWithOrigin(server, server.MasterUri("hdr"));
        Assert.Equal("application/vnd.apple.mpegurl", master.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", master.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var media = await GetWithOrigin(server, server.PlaylistUri("hdr"));
        Assert.Equal(TimeSpan.FromSeconds(1), media.Headers.CacheControl?.MaxAge);
        Assert.True(media.Headers.CacheControl?.Public);

        using var segment = await GetWithOrigin(server, new Uri(server.PlaylistUri("hdr"), playlist.Segments[0].Uri));
        Assert.Equal(playlist.Segments[0].Map is null ? "video/mp2t" : "video/mp4", segment.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", segment.Headers.CacheControl?.ToString());
        Assert.Equal("*", segment.Headers.GetValues("Access-Control-Allow-Origin").Single());

        using var preflight = new HttpRequestMessage(HttpMethod.Options, server.PlaylistUri("hdr"));
        preflight.Headers.Add("Origin", "https://player.example");
        preflight.Headers.Add("Access-Control-Request-Method", "GET");
        using var answer = await server.Http.SendAsync(preflight);
        Assert.True(answer.IsSuccessStatusCode, $"preflight answered {answer.StatusCode}");
        Assert.Equal("*", answer.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Theory]
    [InlineData("live/nobody/master.m3u8")]
    [InlineData("live/nobody/source/playlist.m3u8")]
    [InlineData("live/nobody/source/0.ts")]
    [InlineData("live/..%2F..%2Fetc/master.m3u8")]
    [InlineData("live/x/source/..%2F..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("live/x/..%2f..%2f..%2fetc%2fpasswd/playlist.m3u8")]
    public async Task Unknown_names_and_path_escapes_get_404(string path)
    {
        await using var server = await OnAirServer.StartAsync(o => o.Origin.PlaylistWaitSeconds = 0);
        File.WriteAllText(Path.Combine(server.Options.DataDir, "secret.txt"), "secret");
        using var response = await server.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("secret", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Healthz_answers_200_when_the_listeners_are_up()
    {
        await using var server = await OnAirServer.StartAsync();
        using var response = await server.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var rtmp = new System.Net.Sockets.TcpClient();
        await rtmp.ConnectAsync("127.0.0.1", server.Options.RtmpPort);
        Assert.True(rtmp.Connected);
    }

    private static async Task<HttpResponseMessage> GetWithOrigin(OnAirServer server, Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Add("Origin", "https://player.example");
        var response = await server.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }
}
