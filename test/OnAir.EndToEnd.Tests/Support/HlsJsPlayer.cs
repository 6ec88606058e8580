using System.Globalization;
using System.Text.Json;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// hls.js in headless Chromium (Debian's, installed by test.sh; hls.js and playwright-core from
/// player/package-lock.json, installed by test.sh with npm ci), run by player/switch-test.mjs.
/// </summary>
public static class HlsJsPlayer
{
    public const string Chromium = "/usr/bin/chromium";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static string PlayerDirectory { get; } = Path.Combine(TestVectors.RepositoryRoot, "test", "OnAir.EndToEnd.Tests", "player");

    /// <summary>Plays <paramref name="master"/> and forces <paramref name="switches"/> switches between its lowest and highest variants, starting low.</summary>
    /// <param name="watchSeconds">After the switches, how long to keep playing (the caller changes the stream meanwhile).</param>
    /// <param name="lowLatency">hls.js in its low-latency mode (parts, blocking reload).</param>
    /// <param name="toEndRate">A VOD: play it to its ended event at this many times real time.</param>
    public static async Task<HlsJsRun> SwitchAsync(Uri master, int switches, TimeSpan timeout, int watchSeconds = 0, bool lowLatency = false, int toEndRate = 0)
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: test.sh installs it (Debian package chromium)");
        Assert.True(Directory.Exists(Path.Combine(PlayerDirectory, "node_modules", "hls.js")), $"hls.js is not installed: test.sh runs npm ci in {PlayerDirectory}");

        string[] args =
        [
            Path.Combine(PlayerDirectory, "switch-test.mjs"), master.ToString(),
            "--switches", switches.ToString(CultureInfo.InvariantCulture),
            "--watch-seconds", watchSeconds.ToString(CultureInfo.InvariantCulture),
            "--timeout-seconds", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "--chromium", Chromium,
            .. (lowLatency ? (string[])["--low-latency"] : []),
            .. (toEndRate > 0 ? (string[])["--to-end", toEndRate.ToString(CultureInfo.InvariantCulture)] : []),
        ];

        // The script bounds itself; the extra time here only catches a hung node.
        var (code, stdout, stderr) = await ExternalTool.RunAsync("node", args, timeout + TimeSpan.FromSeconds(15));
        Assert.True(code == 0, $"switch-test.mjs exited with {code}:\n{stderr}\n{stdout}");
        var json = stdout.Trim();
        var run = JsonSerializer.Deserialize<HlsJsRun>(json, s_json) ?? throw new InvalidOperationException("switch-test.mjs printed null");
        return run with { Json = json };
    }
}

/// <summary>What switch-test.mjs saw; times (At) are seconds since the page started, CurrentTime is the video's.</summary>
public sealed record HlsJsRun(
    string HlsVersion,
    string UserAgent,
    Dictionary<string, bool> Mse,
    List<HlsJsLevel> Levels,
    List<HlsJsSwitch> Switches,
    List<HlsJsError> Errors,
    List<HlsJsFrag> Frags,
    List<HlsJsWaiting> Waiting,
    int MaxBufferedRanges,
    double PlayedSeconds,
    double MaxStuckSeconds,
    HlsJsQuality? Quality,
    string? Failure,
    double ElapsedSeconds,
    double? WatchStartedAt,
    List<string>? Console,
    List<HlsJsLatency>? Latency,
    bool Ended = false,
    double? Duration = null)
{
    /// <summary>The whole JSON as printed, for failure messages.</summary>
    public string Json { get; init; } = "";
}

public sealed record HlsJsLevel(int Index, int Width, int Height, long Bitrate, string? VideoCodec, string? AudioCodec, string Url);

public sealed record HlsJsSwitch(
    int From,
    int To,
    int ToHeight,
    double RequestedAt,
    double? LevelSwitchedAt,
    double? FragChangedAt,
    double? VideoHeightAt,
    int? VideoHeight,
    double? PictureChangedAtTime,
    long? Sn,
    double? FragStart,
    long? PreviousSn,
    int? PreviousLevel,
    double? PreviousStart,
    double? PreviousEnd);

public sealed record HlsJsError(double At, string Type, string Details, bool Fatal, string? Reason, int? Level, long? Sn, double? CurrentTime);

public sealed record HlsJsFrag(double At, int Level, long Sn, double Start, double Duration, double CurrentTime);

public sealed record HlsJsWaiting(double At, double CurrentTime);

/// <param name="Hls">hls.js's latency estimate (seconds behind the live edge).</param>
/// <param name="Pdt">Now minus the program date-time of the picture on screen (seconds), null before hls.js knows it.</param>
public sealed record HlsJsLatency(double At, double? Hls, double? Pdt, int Level);

public sealed record HlsJsQuality(int TotalVideoFrames, int DroppedVideoFrames);
