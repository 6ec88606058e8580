using System.Globalization;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// Encoded clips made once per machine with ffmpeg (lavfi testsrc2 + sine, H.264 + AAC in FLV) and
/// cached in the temp directory, for publishers that replay them (-c copy) instead of encoding
/// live: a 1080p publisher then costs almost no CPU, which the transcoder under test needs.
/// </summary>
public static class TestClip
{
    private static readonly SemaphoreSlim s_gate = new(1, 1);

    /// <summary>The path of a <paramref name="seconds"/> s clip at <paramref name="width"/>x<paramref name="height"/>, 30 fps, 1 s GOP.</summary>
    public static async Task<string> GetAsync(int width, int height, int seconds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "onair-test-clips");
        var path = Path.Combine(directory, $"testsrc2-{width}x{height}-30fps-gop30-{seconds}s.flv");
        await s_gate.WaitAsync();
        try
        {
            if (File.Exists(path))
            {
                return path;
            }

            Directory.CreateDirectory(directory);
            var partial = path + ".partial";
            string[] args =
            [
                "-hide_banner", "-loglevel", "error", "-y",
                "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate=30",
                "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
                "-t", seconds.ToString(CultureInfo.InvariantCulture),
                "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-b:v", "4000k",
                "-c:a", "aac", "-b:a", "64k", "-f", "flv", partial,
            ];
            var (code, _, stderr) = await ExternalTool.RunAsync("ffmpeg", args, TimeSpan.FromMinutes(2));
            Assert.True(code == 0, $"could not make the test clip: {stderr}");
            File.Move(partial, path, overwrite: true);
            return path;
        }
        finally
        {
            s_gate.Release();
        }
    }
}
