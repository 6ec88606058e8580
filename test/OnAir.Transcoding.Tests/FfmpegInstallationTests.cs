using System.Runtime.Versioning;
using OnAir.Transcoding.Ffmpeg;
using Xunit;

namespace OnAir.Transcoding.Tests;

/// <summary>The startup check: a usable ffmpeg passes; a missing, old or x264-less one is refused with the fix in the message.</summary>
[UnsupportedOSPlatform("windows")] // fake ffmpegs are shell scripts
public sealed class FfmpegInstallationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("onair-ffmpeg-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_installed_ffmpeg_is_accepted_with_its_version()
    {
        var version = await FfmpegInstallation.CheckAsync("ffmpeg", CancellationToken.None);
        Assert.True(version >= FfmpegInstallation.Minimum, $"ffmpeg {version}");
    }

    [Theory]
    [InlineData("ffmpeg version 4.4.2-0ubuntu0.22.04.1 Copyright (c) 2000-2021", " V....D libx264 ", "ffmpeg 4.4 at '{0}' is too old; the transcoder needs 5.1 or newer")]
    [InlineData("ffmpeg version 6.0 Copyright (c) 2000-2023", " V....D libopenh264 ", "ffmpeg at '{0}' has no libx264 encoder")]
    [InlineData("not an ffmpeg at all", "", "'{0} -version' did not print a version (not an ffmpeg at all)")]
    public async Task An_unusable_ffmpeg_is_refused_with_the_install_command(string versionOutput, string encodersOutput, string expected)
    {
        var fake = Path.Combine(_dir, "ffmpeg");
        File.WriteAllText(fake, $"#!/bin/sh\ncase \"$*\" in *-version*) echo '{versionOutput}';; *-encoders*) echo '{encodersOutput}';; esac\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var error = await Assert.ThrowsAsync<FfmpegUnavailableException>(() => FfmpegInstallation.CheckAsync(fake, CancellationToken.None));
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, expected, fake), error.Message);
        Assert.Contains("sudo apt-get install ffmpeg", error.Message);
    }

    [Fact]
    public async Task A_missing_ffmpeg_is_refused_with_the_install_command()
    {
        var error = await Assert.ThrowsAsync<FfmpegUnavailableException>(() => FfmpegInstallation.CheckAsync(Path.Combine(_dir, "absent"), CancellationToken.None));
        Assert.Contains("ffmpeg not found at", error.Message);
        Assert.Contains("sudo apt-get install ffmpeg", error.Message);
    }
}
