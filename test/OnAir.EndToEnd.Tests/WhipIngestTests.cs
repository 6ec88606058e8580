using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>WebRTC ingest over WHIP with the publishers people use: a browser page (Chromium) and GStreamer's webrtcbin.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public class WhipIngestTests
{
    [Fact]
    public async Task A_browser_publishes_over_WHIP_with_the_ladder_and_DELETE_ends_the_stream()
    {
        await using var server = await OnAirServer.StartAsync();
        var browser = WhipBrowser.PublishAsync(server, "cam", "cam", seconds: 50);

        await IngestPlayback.AssertPlaysWithTheLadderAsync(server, "cam"); // the fake camera is 640x480: source and 360p
        var status = await StreamApi.GetAsync(server, "cam");
        Assert.Equal("webrtc", status!.Json.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.Equal(1, PrometheusText.Value(PrometheusText.Parse(await server.Http.GetStringAsync("metrics")), "onair_whip_sessions"));

        var run = await browser;
        Assert.True(run.Status == 201 && run.Location is not null, run.Json);
        Assert.Contains("connected", run.States!);
        var video = run.Outbound.GetProperty("video");
        Assert.Equal("video/H264", video.GetProperty("codec").GetString());
        Assert.True(video.GetProperty("pliCount").GetInt32() >= 3, $"the server asks for keyframes (segments are cut at them): {run.Json}");
        Assert.Equal("audio/opus", run.Outbound.GetProperty("audio").GetProperty("codec").GetString());
        Assert.Equal(200, run.DeleteStatus);

        // DELETE says the publisher is done: the stream ends at once, not after the reconnect grace.
        await StreamApi.WaitForAsync(server, "cam", s => s.State == "ended", TimeSpan.FromSeconds(5), "ended after DELETE");
        Assert.Contains(server.Logs.Lines, l => l.Contains("left: the publisher ended the session (WHIP DELETE)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GStreamer_webrtcbin_publishes_H264_and_Opus_over_WHIP()
    {
        // player/whip-webrtcbin.py: Debian's simple-whip-client aborts at start (libsoup 2 and 3 in one process), so
        // the same webrtcbin is driven from Python.
        await using var server = await OnAirServer.StartAsync(o => o.Ladder = "passthrough");
        var client = ExternalTool.RunAsync("/usr/bin/python3", [Path.Combine(HlsJsPlayer.PlayerDirectory, "whip-webrtcbin.py"), $"http://127.0.0.1:{server.Options.HttpPort}/whip/gst", "gst", "25"], TimeSpan.FromSeconds(60));

        var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("gst"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(30), "two segments from webrtcbin");
        using var segment = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri("gst"), playlist.Segments[^1]);
        var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(segment.Path, "-show_streams"));
        var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
        Assert.Equal(["aac", "h264"], streams.Select(s => s.GetProperty("codec_name").GetString()).Order());
        Assert.Equal(240, streams.Single(s => s.GetProperty("codec_type").GetString() == "video").GetProperty("height").GetInt32());
        var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", server.PlaylistUri("gst").ToString(), "-t", "3", "-f", "null", "-"], TimeSpan.FromSeconds(30));
        Assert.True(decode.ExitCode == 0 && decode.StdErr.Trim().Length == 0, decode.StdErr);

        var (code, stdout, stderr) = await client;
        Assert.True(code == 0, $"whip-webrtcbin.py exited with {code}: {stderr}");
        var report = JsonDocument.Parse(stdout.Trim()).RootElement;
        Assert.Equal(201, report.GetProperty("status").GetInt32());
        Assert.Contains("connected", report.GetProperty("states").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(200, report.GetProperty("deleteStatus").GetInt32());
    }

    [Fact]
    public async Task Bad_WHIP_requests_and_datagrams_get_clear_errors_while_a_WHIP_stream_keeps_playing()
    {
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.Webrtc.ConnectTimeoutSeconds = 2;
        });
        var browser = WhipBrowser.PublishAsync(server, "steady", "steady", seconds: 30);
        var before = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("steady"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(30), "a first segment over WHIP");

        var offer = SyntheticOffer("H264", "packetization-mode=1;profile-level-id=42e01f");
        await ExpectAsync(server, "nokey", null, offer, HttpStatusCode.Unauthorized, "Authorization: Bearer");
        await ExpectAsync(server, "x", "x", offer, HttpStatusCode.UnsupportedMediaType, "application/sdp", contentType: "text/plain");
        await ExpectAsync(server, "x", "x", "hello", HttpStatusCode.BadRequest, "does not start with v=0");
        await ExpectAsync(server, "x", "x", offer.Replace("a=fingerprint", "a=fingerprnt", StringComparison.Ordinal), HttpStatusCode.BadRequest, "a=fingerprint:sha-256");
        await ExpectAsync(server, "vp8", "vp8", SyntheticOffer("VP8", ""), HttpStatusCode.NotAcceptable, "no H.264");
        await ExpectAsync(server, "big", "big", "v=0\r\n" + new string('a', 70_000), HttpStatusCode.RequestEntityTooLarge, "larger than");
        await ExpectAsync(server, "steady", "steady", offer, HttpStatusCode.Conflict, "already being published");
        using (var delete = await server.Http.DeleteAsync("whip/steady/nosuchsession"))
        {
            Assert.Equal(HttpStatusCode.NotFound, delete.StatusCode);
        }

        // A well-formed offer whose peer never does ICE: its session (and stream) are dropped after the connect timeout, saying why.
        using (var silent = await PostAsync(server, "silent", "silent", offer))
        {
            Assert.Equal(HttpStatusCode.Created, silent.StatusCode);
            Assert.StartsWith("/whip/silent/", silent.Headers.Location?.ToString(), StringComparison.Ordinal);
            Assert.Contains("a=ice-lite", await silent.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await Eventually.TrueAsync(() => server.Logs.Lines.Any(l => l.Contains("no ICE and DTLS connection within 2 s", StringComparison.Ordinal)), "the silent session dropped", TimeSpan.FromSeconds(15));

        // Garbage at the WebRTC port: STUN-looking, DTLS-looking, RTP-looking and random datagrams.
        using (var udp = new UdpClient())
        {
            var target = new IPEndPoint(IPAddress.Loopback, server.Options.WebrtcPort);
            var random = new Random(13);
            var datagram = new byte[600];
            for (var i = 0; i < 400; i++)
            {
                random.NextBytes(datagram);
                datagram[0] = (byte)((i % 4) switch { 0 => random.Next(0, 4), 1 => random.Next(20, 64), 2 => random.Next(128, 192), _ => random.Next(256) });
                await udp.SendAsync(datagram.AsMemory(0, random.Next(1, datagram.Length)), target);
            }
        }

        var after = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("steady"), p => p.MediaSequence + p.Segments.Count >= before.MediaSequence + before.Segments.Count + 2, TimeSpan.FromSeconds(20), "two more segments");
        Assert.DoesNotContain(after.Segments, s => s.Gap);
        var run = await browser;
        Assert.Equal(201, run.Status);
    }

    private static async Task ExpectAsync(OnAirServer server, string name, string? key, string body, HttpStatusCode status, string reason, string contentType = "application/sdp")
    {
        using var response = await PostAsync(server, name, key, body, contentType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status && text.Contains(reason, StringComparison.Ordinal), $"POST /whip/{name}: {(int)response.StatusCode} {text}");
    }

    private static async Task<HttpResponseMessage> PostAsync(OnAirServer server, string name, string? key, string body, string contentType = "application/sdp")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"whip/{name}") { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return await server.Http.SendAsync(request);
    }

    /// <summary>An offer as a browser writes one (one video section with <paramref name="codec"/>, one Opus section), from a peer that will never connect.</summary>
    private static string SyntheticOffer(string codec, string fmtp) => string.Join("\r\n",
        "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
        "m=video 9 UDP/TLS/RTP/SAVPF 102", "c=IN IP4 0.0.0.0", "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuvwx",
        "a=fingerprint:sha-256 " + string.Join(':', Enumerable.Repeat("AB", 32)), "a=setup:actpass", "a=mid:0", "a=sendonly", "a=rtcp-mux",
        $"a=rtpmap:102 {codec}/90000", $"a=fmtp:102 {fmtp}",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:1", "a=sendonly", "a=rtpmap:111 opus/48000/2", "") ;
}
