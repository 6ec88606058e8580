using System.Diagnostics;
using OnAir.Media;
using OnAir.Media.Avc;
using OnAir.Media.MpegTs;
using OnAir.Testing;
using OnAir.Transcoding.Ffmpeg;
using Xunit;

namespace OnAir.Transcoding.Tests;

/// <summary>The ladder command run by the real ffmpeg: source frames in on stdin (FLV for H.264, MPEG-TS for H.265), one MPEG-TS with every rung out on stdout.</summary>
public class LadderCommandTests
{
    private static readonly LadderOptions s_ladder = new()
    {
        Renditions =
        [
            new() { Name = "480p", Height = 480, VideoBitrateKbps = 1400, MaxRateKbps = 1600 },
            new() { Name = "180p", Height = 180, VideoBitrateKbps = 300, MaxRateKbps = 330, Preset = "ultrafast" },
            new() { Name = "120p", Height = 120, VideoBitrateKbps = 200, MaxRateKbps = 220, Preset = "ultrafast", Profile = "baseline" },
        ],
    };

    [Fact]
    public void A_source_only_gets_the_rungs_below_its_height()
    {
        Assert.Equal(["180p", "120p"], LadderCommand.RungsFor(s_ladder, 240).Select(r => r.Name));
        Assert.Equal(["120p"], LadderCommand.RungsFor(s_ladder, 180).Select(r => r.Name));
        Assert.Empty(LadderCommand.RungsFor(s_ladder, 120));
        Assert.Equal(3, LadderCommand.RungsFor(Ladders.Default(), 1080).Count);
        Assert.Equal(["360p"], LadderCommand.RungsFor(Ladders.Default(), 480).Select(r => r.Name));
    }

    [Fact]
    public void A_rung_never_gets_more_bits_than_the_source_has_to_give()
    {
        // 400 kbit/s of 480p: 400 x (360/480)^1.5 = 259 kbit/s for 360p instead of the ladder's 800, peak scaled alike (900 -> 291).
        var capped = Assert.Single(LadderCommand.RungsFor(Ladders.Default(), 480, sourceVideoBitrateKbps: 400));
        Assert.Equal(("360p", 360, 259, 291), (capped.Name, capped.Height, capped.VideoBitrateKbps, capped.MaxRateKbps));
        Assert.Equal(800, Ladders.Default().Renditions.Single(r => r.Name == "360p").VideoBitrateKbps); // the ladder itself is unchanged

        // A 6 Mbit/s 1080p source has bits for the whole default ladder as configured; so has one that declares nothing.
        foreach (var declared in new int?[] { 6000, null })
        {
            Assert.Equal(Ladders.Default().Renditions.Select(r => (r.VideoBitrateKbps, r.MaxRateKbps)),
                LadderCommand.RungsFor(Ladders.Default(), 1080, declared).Select(r => (r.VideoBitrateKbps, r.MaxRateKbps)));
        }

        // A starved source: the floor (150 x 0.65 = 97 would be mush), but never more than the source has.
        Assert.Equal(LadderCommand.MinimumCappedBitrateKbps, LadderCommand.RungsFor(Ladders.Default(), 480, 150).Single().VideoBitrateKbps);
        Assert.Equal(90, LadderCommand.RungsFor(Ladders.Default(), 480, 90).Single().VideoBitrateKbps);
    }

    [Fact]
    public async Task One_ffmpeg_makes_every_rung_with_keyframes_where_the_source_has_them()
    {
        var source = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out var reader);
        var rungs = LadderCommand.RungsFor(s_ladder, reader.Video!.Height);
        var frames = await TranscodeAsync(LadderCommand.Arguments(rungs, audioBitrateKbps: null, hasAudio: true), source);
        AssertEveryRungFollowsTheSource(rungs, source, frames);
    }

    [Fact]
    public async Task An_hevc_source_goes_in_as_mpeg_ts_and_makes_the_same_h264_rungs()
    {
        using var directory = new TempDirectory();
        var file = directory.File("hevc.mp4");
        var (code, _, stderr) = await ExternalTool.RunAsync(
            "ffmpeg",
            ["-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t", "2",
             "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "keyint=30:min-keyint=30:log-level=none:pools=none:frame-threads=1", "-tag:v", "hvc1",
             "-c:a", "aac", "-f", "mp4", file],
            TimeSpan.FromSeconds(60));
        Assert.True(code == 0, stderr);
        var source = ProbedFrames.From(await ProbeResult.OfFileAsync(file), MediaTime.TicksPerSecond);
        var input = InputOf(source);
        Assert.Equal(FfmpegInput.MpegTs, input.Format);

        var rungs = LadderCommand.RungsFor(s_ladder, input.Video.Height);
        var frames = await TranscodeAsync(LadderCommand.Arguments(rungs, audioBitrateKbps: null, hasAudio: true, inputFormat: input.Format), source);
        AssertEveryRungFollowsTheSource(rungs, source, frames);
    }

    /// <summary>Each rung at its height and the source's aspect, frame for frame, keyframes where the source has them; audio passed through. Releases the frames.</summary>
    private static void AssertEveryRungFollowsTheSource(IReadOnlyList<RenditionOptions> rungs, List<MediaFrame> source, List<TsFrame> frames)
    {
        try
        {
            var sourceVideo = source.Where(f => f.Kind == TrackKind.Video).ToList();
            var sourceKeys = sourceVideo.Where(f => f.IsKeyFrame).Select(f => f.Pts).ToList();
            List<long>? firstRungKeys = null;
            for (var i = 0; i < rungs.Count; i++)
            {
                var video = frames.Where(f => f.Pid == LadderCommand.VideoPid(i)).Select(f => f.Frame).ToList();
                var config = Assert.IsType<AvcConfig>(video[0].Config);
                Assert.Equal(rungs[i].Height, config.Height);
                Assert.Equal(rungs[i].Height * 4 / 3, config.Width); // the source's 4:3, width even
                Assert.Equal(sourceVideo.Count, video.Count); // no frame dropped or duplicated

                var keys = AssertKeyFramesMatch(sourceKeys, video);
                firstRungKeys ??= keys;
                Assert.Equal(firstRungKeys, keys); // every rung cuts at the same instant
            }

            var audio = frames.Where(f => f.Pid == LadderCommand.AudioPid(rungs.Count)).Select(f => f.Frame).ToList();
            var sourceAudio = source.Where(f => f.Kind == TrackKind.Audio).ToList();
            Assert.Equal(sourceAudio.Count, audio.Count);
            Assert.True(audio[5].Span.SequenceEqual(sourceAudio[5].Span), "audio is passed through untouched");
        }
        finally
        {
            frames.ForEach(f => f.Frame.Release());
            source.ForEach(f => f.Release());
        }
    }

    [Fact]
    public async Task A_degraded_run_halves_the_frame_rate_but_keeps_every_keyframe_where_the_source_has_it()
    {
        var source = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out var reader);
        var rungs = LadderCommand.RungsFor(s_ladder, reader.Video!.Height);
        var arguments = LadderCommand.Arguments(rungs, audioBitrateKbps: null, hasAudio: true, new TranscodeQuality("ultrafast", HalfFrameRate: true));
        Assert.Equal(rungs.Count, arguments.Count(a => a == "ultrafast")); // every rung's own preset is replaced
        var frames = await TranscodeAsync(arguments, source);

        try
        {
            var sourceVideo = source.Where(f => f.Kind == TrackKind.Video).ToList();
            var sourceKeys = sourceVideo.Where(f => f.IsKeyFrame).Select(f => f.Pts).ToList();
            for (var i = 0; i < rungs.Count; i++)
            {
                var video = frames.Where(f => f.Pid == LadderCommand.VideoPid(i)).Select(f => f.Frame).ToList();
                Assert.InRange(video.Count, sourceVideo.Count / 2, (sourceVideo.Count / 2) + sourceKeys.Count); // every other frame, plus keyframes at odd positions
                AssertKeyFramesMatch(sourceKeys, video);
            }
        }
        finally
        {
            frames.ForEach(f => f.Frame.Release());
            source.ForEach(f => f.Release());
        }
    }

    /// <summary>The rung has a keyframe within a frame of each of the source's, and no other. Returns the rung's keyframe PTSs.</summary>
    private static List<long> AssertKeyFramesMatch(List<long> sourceKeys, List<MediaFrame> video)
    {
        var frameTicks = MediaTime.TicksPerSecond / 30;
        var keys = video.Where(f => f.IsKeyFrame).Select(f => f.Pts).ToList();
        Assert.Equal(sourceKeys.Count, keys.Count);
        for (var k = 0; k < keys.Count; k++)
        {
            Assert.InRange(keys[k], sourceKeys[k] - frameTicks, sourceKeys[k] + frameTicks); // ±1 frame of the source's keyframe
        }

        return keys;
    }

    private static FfmpegInput InputOf(IReadOnlyList<MediaFrame> frames) =>
        new((VideoConfig)frames.First(f => f.Kind == TrackKind.Video).Config, frames.Any(f => f.Kind == TrackKind.Audio));

    /// <summary>Runs the real ffmpeg with <paramref name="arguments"/> on the frames (on stdin, as <see cref="FfmpegInput"/> writes them) and demuxes what it writes to stdout.</summary>
    private static async Task<List<TsFrame>> TranscodeAsync(List<string> arguments, IReadOnlyList<MediaFrame> frames)
    {
        var psi = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        arguments.ForEach(psi.ArgumentList.Add);
        using var ffmpeg = Process.Start(psi)!;
        var stdout = new MemoryStream();
        var reading = ffmpeg.StandardOutput.BaseStream.CopyToAsync(stdout);
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        await using (var stdin = ffmpeg.StandardInput.BaseStream)
        {
            var write = InputOf(frames).CreateWriter(stdin);
            foreach (var frame in frames)
            {
                write(frame);
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ffmpeg.WaitForExitAsync(timeout.Token);
        await reading;
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg {string.Join(' ', arguments)} failed: {await errors}");
        using var demuxer = new TsDemuxer();
        var output = new List<TsFrame>();
        demuxer.Push(stdout.ToArray(), output);
        demuxer.Flush(output);
        return output;
    }
}
