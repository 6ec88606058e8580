using System.Globalization;
using System.Net;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using OnAir.Server;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// What the transcoder's supervisor does when ffmpeg is missing, keeps failing or hangs, and when
/// more streams want transcoding than the cap allows: the source is always served.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // fake ffmpegs are shell scripts
public class TranscoderSupervisionTests
{
    [Fact]
    public async Task A_missing_ffmpeg_stops_the_server_at_startup_with_the_install_command()
    {
        using var dir = new TempDir();
        var config = Path.Combine(dir.Path, "onair.json");
        File.WriteAllText(config, """{ "transcode": { "ffmpegPath": "/nonexistent/ffmpeg" } }""");
        var stderr = new StringWriter();

        var exit = await OnAirCli.RunAsync(
            ["serve", "--config", config, "--data-dir", Path.Combine(dir.Path, "data"), "--rtmp-port", OnAirServer.FreePort().ToString(CultureInfo.InvariantCulture), "--http-port", OnAirServer.FreePort().ToString(CultureInfo.InvariantCulture), .. OnAirServer.NoUdpIngest],
            TextWriter.Null,
            stderr);

        Assert.Equal(OnAirCli.ExitFailure, exit);
        var message = stderr.ToString();
        Assert.Contains("ffmpeg not found at '/nonexistent/ffmpeg'", message);
        Assert.Contains("sudo apt-get install ffmpeg", message);
        Assert.Contains("--ladder passthrough", message);
    }

    [Fact]
    public async Task An_ffmpeg_that_keeps_failing_falls_back_to_passthrough_once_with_its_reason_and_source_plays_on()
    {
        using var dir = new TempDir();
        await using var server = await StartWithFakeFfmpegAsync(dir, "echo 'simulated encoder failure' >&2; exit 1", maxRestarts: 2);
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("flaky"), seconds: 14, width: 854, height: 480);

        await WaitForLogAsync(server, "[3003]", TimeSpan.FromSeconds(20));
        var fallback = Assert.Single(server.Logs.Lines, l => l.Contains("[3003]", StringComparison.Ordinal));
        Assert.Contains("simulated encoder failure", fallback); // ffmpeg's own words, for the operator
        Assert.Equal(2, server.Logs.Lines.Count(l => l.Contains("[3002]", StringComparison.Ordinal))); // two restarts, then no loop

        // source never depended on it: it keeps growing, and it is all the master lists.
        var before = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("flaky"), p => p.Segments.Count > 0, TimeSpan.FromSeconds(10), "a source segment");
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("flaky"), p => p.LastSequence >= before.LastSequence + 2, TimeSpan.FromSeconds(10), "source segments after the fallback");
        var master = await server.Http.GetStringAsync(server.MasterUri("flaky"));
        Assert.Equal(["source/playlist.m3u8"], master.Split('\n').Where(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));
        Assert.Equal(1, PrometheusText.Value(PrometheusText.Parse(await server.Http.GetStringAsync("metrics")), "onair_transcode_state", ("stream", "flaky"), ("state", "fell_back")));
    }

    [Fact]
    public async Task An_ffmpeg_that_stops_reading_its_input_is_killed_as_hung_and_restarted()
    {
        using var dir = new TempDir();
        await using var server = await StartWithFakeFfmpegAsync(dir, "exec sleep 120", maxRestarts: 1, o => o.Transcode.StallTimeoutSeconds = 2);
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("stuck"), seconds: 16, width: 854, height: 480);

        await WaitForLogAsync(server, "[3003]", TimeSpan.FromSeconds(25));
        var restart = Assert.Single(server.Logs.Lines, l => l.Contains("[3002]", StringComparison.Ordinal));
        Assert.Contains("hung (no output for 2 s) and was killed", restart);
        var source = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("stuck"), p => p.Segments.Count >= 3, TimeSpan.FromSeconds(10), "source segments");
        Assert.False(source.Ended);
    }

    [Fact]
    public async Task A_stream_over_the_transcoding_cap_is_served_as_source_only_and_says_so()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Transcode.MaxStreams = 1);
        await using var first = Publisher.Ffmpeg(server.RtmpUrl("first"), seconds: 16, width: 854, height: 480);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("first", "360p"), p => p.Segments.Count > 0, TimeSpan.FromSeconds(20), "the first stream's 360p rung");
        await using var second = Publisher.Ffmpeg(server.RtmpUrl("second"), seconds: 10, width: 854, height: 480);

        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("second"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(15), "the second stream's source");
        Assert.Contains(server.Logs.Lines, l => l.Contains("[3006]", StringComparison.Ordinal) && l.Contains("Stream second", StringComparison.Ordinal));
        var master = await server.Http.GetStringAsync(server.MasterUri("second"));
        Assert.Equal(["source/playlist.m3u8"], master.Split('\n').Where(l => l.EndsWith(".m3u8", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.NotFound, (await server.Http.GetAsync(server.PlaylistUri("second", "360p"))).StatusCode);
        var metrics = await server.Http.GetStringAsync("metrics");
        var samples = PrometheusText.Parse(metrics);
        Assert.Equal(1, PrometheusText.Value(samples, "onair_transcode_state", ("stream", "second"), ("state", "over_cap")));
        Assert.Equal(1, PrometheusText.Value(samples, "onair_transcode_state", ("stream", "first"), ("state", "running")));
    }

    /// <summary>A server whose transcoder runs a <see cref="FfmpegWrapper"/> around <paramref name="body"/>, restarting it quickly up to <paramref name="maxRestarts"/> times.</summary>
    private static Task<OnAirServer> StartWithFakeFfmpegAsync(TempDir dir, string body, int maxRestarts, Action<OnAirOptions>? configure = null)
    {
        var fake = FfmpegWrapper.Create(dir, body);
        return OnAirServer.StartAsync(o =>
        {
            o.Transcode.FfmpegPath = fake;
            o.Transcode.MaxRestarts = maxRestarts;
            o.Transcode.RestartDelaySeconds = 0.1;
            configure?.Invoke(o);
        });
    }

    private static async Task WaitForLogAsync(OnAirServer server, string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!server.Logs.Contains(text))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no log line with {text} within {timeout}:\n" + string.Join('\n', server.Logs.Lines.Where(l => l.Contains("[30", StringComparison.Ordinal))));
            await Task.Delay(HlsPoller.ReloadInterval);
        }
    }
}
