using System.Diagnostics;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Server;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>The real onair process stopped by SIGTERM while a stream is live.</summary>
public class ShutdownTests
{
    [Fact]
    public async Task Sigterm_ends_live_playlists_with_ENDLIST_on_disk_and_exits_0()
    {
        var dataDir = Directory.CreateTempSubdirectory("onair-stop-").FullName;
        var rtmpPort = OnAirServer.FreePort();
        var httpPort = OnAirServer.FreePort();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { typeof(OnAirCli).Assembly.Location, "serve", "--rtmp-port", $"{rtmpPort}", "--http-port", $"{httpPort}", "--data-dir", dataDir, "--ladder", "passthrough" }.Concat(OnAirServer.NoUdpIngest))
        {
            psi.ArgumentList.Add(arg);
        }

        using var server = Process.Start(psi)!;
        var output = server.StandardOutput.ReadToEndAsync();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/") };
            await Healthz.WaitAsync(http, () => server.HasExited ? $"exit code {server.ExitCode}" : null);
            await using var publisher = Publisher.Ffmpeg($"rtmp://127.0.0.1:{rtmpPort}/live/stopme", seconds: 30);
            await HlsPoller.WaitForAsync(http, new Uri(http.BaseAddress!, "live/stopme/source/playlist.m3u8"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(30), "two segments");

            using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await server.WaitForExitAsync(cts.Token);
            Assert.Equal(0, server.ExitCode);

            var playlistFile = Directory.GetFiles(dataDir, "playlist.m3u8", SearchOption.AllDirectories).Single();
            var playlist = MediaPlaylist.Parse(await File.ReadAllTextAsync(playlistFile));
            Assert.True(playlist.Ended, "the on-disk playlist ends with EXT-X-ENDLIST");
            Assert.All(playlist.Segments, s => Assert.True(new FileInfo(Path.Combine(Path.GetDirectoryName(playlistFile)!, s.Uri)).Length > 0, $"{s.Uri} is on disk"));
            Assert.Contains("ended after", await output);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }

            Directory.Delete(dataDir, recursive: true);
        }
    }
}
