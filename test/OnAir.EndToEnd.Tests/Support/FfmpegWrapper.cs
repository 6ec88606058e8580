using System.Runtime.Versioning;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// A script to set as <c>transcode.ffmpegPath</c>: it answers the server's startup check
/// (-version, -encoders) with the real ffmpeg, and runs a shell <c>body</c> when asked to transcode,
/// e.g. a failure, a hang, or the real ffmpeg under constraints.
/// </summary>
[UnsupportedOSPlatform("windows")]
public static class FfmpegWrapper
{
    /// <summary>Writes the script into <paramref name="dir"/> and returns its path.</summary>
    public static string Create(TempDir dir, string body)
    {
        var path = Path.Combine(dir.Path, "ffmpeg");
        File.WriteAllText(path, $"#!/bin/sh\ncase \"$*\" in *-version*|*-encoders*) exec ffmpeg \"$@\";; esac\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }
}
