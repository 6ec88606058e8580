using System.Globalization;
using System.Text.Json;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>What whip-publish.mjs saw: the WHIP answer, the peer connection's states and the browser's own send statistics.</summary>
public sealed record WhipRun(int Status, string? Location, string? Error, List<string>? States, int? DeleteStatus, JsonElement Outbound, string Json);

/// <summary>Headless Chromium publishing its fake camera and microphone over WHIP (player/whip-publish.mjs).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class WhipBrowser
{
    /// <summary>Starts publishing for <paramref name="seconds"/>, then DELETE (unless <paramref name="delete"/> is false); the task ends with the run.</summary>
    public static async Task<WhipRun> PublishAsync(OnAirServer server, string name, string key, int seconds, bool delete = true)
    {
        Assert.True(File.Exists(HlsJsPlayer.Chromium), $"{HlsJsPlayer.Chromium} is missing: test.sh installs it (Debian package chromium)");
        string[] args =
        [
            Path.Combine(HlsJsPlayer.PlayerDirectory, "whip-publish.mjs"), $"http://127.0.0.1:{server.Options.HttpPort}", name, key,
            "--seconds", seconds.ToString(CultureInfo.InvariantCulture), "--chromium", HlsJsPlayer.Chromium,
            .. (delete ? (string[])[] : ["--no-delete"]),
        ];
        var (code, stdout, stderr) = await ExternalTool.RunAsync("node", args, TimeSpan.FromSeconds(seconds + 60));
        Assert.True(code == 0, $"whip-publish.mjs exited with {code}:\n{stderr}\n{stdout}");
        var json = stdout.Trim();
        var root = JsonDocument.Parse(json).RootElement.Clone();
        return new WhipRun(
            root.TryGetProperty("status", out var status) ? status.GetInt32() : 0,
            root.TryGetProperty("location", out var location) ? location.GetString() : null,
            root.TryGetProperty("error", out var error) ? error.GetString() : null,
            root.TryGetProperty("states", out var states) ? [.. states.EnumerateArray().Select(s => s.GetString()!)] : null,
            root.TryGetProperty("deleteStatus", out var deleted) ? deleted.GetInt32() : null,
            root.TryGetProperty("outbound", out var outbound) ? outbound : default,
            json);
    }
}
