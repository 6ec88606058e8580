using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>Checks at startup that the ffmpeg the ladder needs is there, new enough and has libx264.</summary>
public static partial class FfmpegInstallation
{
    public static readonly Version Minimum = new(5, 1);

    public const string InstallHint = "install it with 'sudo apt-get install ffmpeg' (./run.sh does this), set transcode.ffmpegPath, or serve with --ladder passthrough";

    /// <summary>Returns ffmpeg's version.</summary>
    /// <exception cref="FfmpegUnavailableException">ffmpeg is missing, too old or lacks libx264; the message says what to do.</exception>
    public static async Task<Version> CheckAsync(string ffmpegPath, CancellationToken cancellationToken)
    {
        var versionText = await RunAsync(ffmpegPath, ["-hide_banner", "-version"], cancellationToken).ConfigureAwait(false);
        var match = VersionPattern().Match(versionText);
        if (!match.Success)
        {
            throw new FfmpegUnavailableException($"'{ffmpegPath} -version' did not print a version ({FirstLine(versionText)}); the transcoder needs ffmpeg {Minimum} or newer: {InstallHint}");
        }

        var version = new Version(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        if (version < Minimum)
        {
            throw new FfmpegUnavailableException($"ffmpeg {version} at '{ffmpegPath}' is too old; the transcoder needs {Minimum} or newer: {InstallHint}");
        }

        var encoders = await RunAsync(ffmpegPath, ["-hide_banner", "-encoders"], cancellationToken).ConfigureAwait(false);
        if (!encoders.Contains(" libx264 ", StringComparison.Ordinal))
        {
            throw new FfmpegUnavailableException($"ffmpeg at '{ffmpegPath}' has no libx264 encoder; the transcoder needs it: {InstallHint}");
        }

        return version;
    }

    private static async Task<string> RunAsync(string ffmpegPath, string[] arguments, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(ffmpegPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new FfmpegUnavailableException($"'{ffmpegPath}' did not start: {InstallHint}");
        }
        catch (Win32Exception ex)
        {
            throw new FfmpegUnavailableException($"ffmpeg not found at '{ffmpegPath}' ({ex.Message}); the transcoder needs ffmpeg {Minimum} or newer: {InstallHint}", ex);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            return await stdout.ConfigureAwait(false) + await stderr.ConfigureAwait(false);
        }
    }

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    [GeneratedRegex(@"^ffmpeg version n?(\d+)\.(\d+)", RegexOptions.Multiline)]
    private static partial Regex VersionPattern();
}
