using System.Net;
using System.Text.Json;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;
using Xunit.Abstractions;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// The contract's / and /watch/NAME in a real browser (headless Chromium): the dashboard lists a live
/// stream, the player plays it on a phone-sized screen and shows its latency. Screenshots are kept
/// under artifacts/web/ for a person to look at.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public class WebUiTests(ITestOutputHelper output)
{
    [Fact]
    public async Task The_dashboard_lists_a_live_stream_and_its_watch_page_plays_it_on_a_phone_sized_screen()
    {
        await using var server = await OnAirServer.StartAsync();
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("show"), seconds: 60, width: 640, height: 360, gopSeconds: 1);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("show"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(20), "a segment");

        // Served by OnAir itself: hls.js included, nothing from an outside CDN.
        using (var hls = await server.Http.GetAsync("assets/hls.min.js"))
        {
            Assert.Equal(HttpStatusCode.OK, hls.StatusCode);
            Assert.Equal("text/javascript", hls.Content.Headers.ContentType?.MediaType);
        }

        foreach (var page in new[] { "", "watch/show" })
        {
            var html = await server.Http.GetStringAsync(page);
            Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        }

        var artifacts = Path.Combine(TestVectors.RepositoryRoot, "artifacts", "web");
        Directory.CreateDirectory(artifacts);
        Assert.True(File.Exists(HlsJsPlayer.Chromium), $"{HlsJsPlayer.Chromium} is missing: test.sh installs it");
        var (code, stdout, stderr) = await ExternalTool.RunAsync(
            "node",
            [Path.Combine(HlsJsPlayer.PlayerDirectory, "web-test.mjs"), server.Http.BaseAddress!.ToString().TrimEnd('/'), "show", artifacts, "--chromium", HlsJsPlayer.Chromium],
            TimeSpan.FromSeconds(90));
        Assert.True(code == 0, $"web-test.mjs exited with {code}:\n{stderr}\n{stdout}");
        output.WriteLine(stdout);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.True(root.GetProperty("failure").ValueKind == JsonValueKind.Null, $"{root.GetProperty("failure")}\n{stdout}");

        var row = root.GetProperty("dashboard").GetProperty("rowText").GetString()!;
        Assert.Contains("show", row, StringComparison.Ordinal);
        Assert.Contains("live", row, StringComparison.Ordinal);
        Assert.Contains("640x360", row, StringComparison.Ordinal);

        var watch = root.GetProperty("watch");
        Assert.True(watch.GetProperty("stats").GetProperty("playing").GetBoolean(), stdout);
        var latency = watch.GetProperty("stats").GetProperty("latency").GetDouble();
        Assert.InRange(latency, 0, 10);
        Assert.Matches("[0-9]", watch.GetProperty("latencyText").GetString()!);
        Assert.Contains("360", watch.GetProperty("renditionText").GetString()!, StringComparison.Ordinal);
        Assert.True(watch.GetProperty("qualityOptions").GetInt32() >= 2, "Auto plus one option per rendition");
        Assert.True(watch.GetProperty("scrollWidth").GetInt32() <= 390, $"the watch page scrolls sideways on a phone: {watch.GetProperty("scrollWidth")} px");
        Assert.True(File.Exists(Path.Combine(artifacts, "dashboard.png")) && File.Exists(Path.Combine(artifacts, "watch-phone.png")));
    }
}
