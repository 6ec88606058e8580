using System.Text.Json;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// What every ingest protocol must give viewers, checked the same way for each: a 854x480 publish of
/// <see cref="Publisher.Ffmpeg"/> gets the ladder (source and 360p) in the master, segments ffprobe
/// reads as H.264 + AAC at the published size, and hls.js in Chromium plays the master and switches.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public static class IngestPlayback
{
    public const int Width = 854;
    public const int Height = 480;

    public static async Task AssertPlaysWithTheLadderAsync(OnAirServer server, string name)
    {
        await TranscodingTests.WaitForMasterAsync(server, name, variants: 2);
        foreach (var rendition in new[] { "source", "360p" })
        {
            var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri(name, rendition), p => p.Segments.Count(s => !s.Gap) >= 2, TimeSpan.FromSeconds(30), $"2 {rendition} segments of {name}");
            Assert.False(playlist.Ended);
            Assert.All(playlist.Segments, s => Assert.True(Math.Round(s.Duration) <= playlist.TargetDuration, $"EXTINF {s.Duration} above the target duration"));
            using var segment = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri(name, rendition), playlist.Segments.Last(s => !s.Gap));
            var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(segment.Path, "-show_streams"));
            var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
            var video = streams.Single(s => s.GetProperty("codec_type").GetString() == "video");
            Assert.Equal("h264", video.GetProperty("codec_name").GetString());
            Assert.Equal(rendition == "source" ? Height : 360, video.GetProperty("height").GetInt32());
            Assert.Equal("aac", streams.Single(s => s.GetProperty("codec_type").GetString() == "audio").GetProperty("codec_name").GetString());
        }

        var run = await HlsJsPlayer.SwitchAsync(server.MasterUri(name), switches: 1, TimeSpan.FromSeconds(45));
        Assert.True(run.Failure is null, $"{run.Failure}\n{run.Json}");
        Assert.Equal([360, Height], run.Levels.Select(l => l.Height).Order());
        Assert.False(run.Errors.Any(e => e.Fatal), $"hls.js reported fatal errors:\n{run.Json}");
        Assert.True(run.Switches.Single().VideoHeight == run.Switches.Single().ToHeight, $"the switch did not reach the screen\n{run.Json}");
        Assert.True(run.PlayedSeconds >= 4, $"hls.js played {run.PlayedSeconds} s\n{run.Json}");
    }
}
