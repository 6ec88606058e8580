using System.Globalization;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// The server process caps glibc's malloc arenas itself (NativeHeap), for launchers that do not set
/// MALLOC_ARENA_MAX as ./run.sh does: under load it keeps the arenas its startup made, where an
/// uncapped server on this 2-core machine grows to glibc's 16 (15 counted beside the main arena),
/// each holding native memory that never returns.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /proc
public class NativeHeapTests
{
    /// <summary>glibc fixes its arena limit when a 9th arena would be made: the cap holds only if startup made fewer.</summary>
    private const int ArenasBeforeTheLimitIsFixed = 8;

    [Fact]
    public async Task The_server_process_keeps_its_malloc_arenas_few_under_load()
    {
        using var data = new TempDir();
        var (rtmp, http) = (OnAirServer.FreePort(), OnAirServer.FreePort());
        await using var server = ChildProcess.Start("dotnet",
        [
            Path.Combine(TestVectors.RepositoryRoot, "src", "OnAir.Server", "bin", "Release", "net10.0", "onair.dll"),
            "serve", "--rtmp-port", rtmp.ToString(CultureInfo.InvariantCulture), "--http-port", http.ToString(CultureInfo.InvariantCulture),
            "--data-dir", data.Path, "--ladder", "passthrough", .. OnAirServer.NoUdpIngest,
        ]);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{http}/") };
        await Healthz.WaitAsync(client, () => server.HasExited ? server.Output : null);

        var publishers = Enumerable.Range(0, 4).Select(i => Publisher.Ffmpeg($"rtmp://127.0.0.1:{rtmp}/live/load{i}", seconds: 20, width: 640, height: 360)).ToList();
        try
        {
            for (var i = 0; i < publishers.Count; i++)
            {
                var playlist = new Uri(client.BaseAddress, $"live/load{i}/source/playlist.m3u8");
                await HlsPoller.WaitForAsync(client, playlist, p => p.Segments.Count >= 2, TimeSpan.FromSeconds(30), $"two segments of load{i}");
            }

            var arenas = MallocArenas(server.Pid);
            Assert.True(arenas <= ArenasBeforeTheLimitIsFixed, $"{arenas} malloc arenas in the server process: the cap did not hold");
        }
        finally
        {
            foreach (var publisher in publishers)
            {
                await publisher.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// glibc's mmapped arenas in /proc/PID/maps: each is a 64 MiB-aligned heap of exactly 64 MiB,
    /// its used part read-write and the rest reserved (---p) right behind it. The main arena is [heap].
    /// </summary>
    private static int MallocArenas(int pid)
    {
        const long heapSize = 64L << 20;
        var maps = File.ReadLines($"/proc/{pid}/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(fields =>
        {
            var range = fields[0].Split('-');
            return (Start: Convert.ToInt64(range[0], 16), End: Convert.ToInt64(range[1], 16), Perms: fields[1], Anonymous: fields.Length < 6);
        }).ToList();
        var arenas = 0;
        for (var i = 0; i < maps.Count; i++)
        {
            var (start, end, perms, anonymous) = maps[i];
            if (!anonymous || perms != "rw-p" || start % heapSize != 0)
            {
                continue;
            }

            if (i + 1 < maps.Count && maps[i + 1] is { Perms: "---p", Anonymous: true } reserved && reserved.Start == end)
            {
                end = reserved.End;
            }

            arenas += end - start == heapSize ? 1 : 0;
        }

        return arenas;
    }
}
