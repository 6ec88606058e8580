using System.Globalization;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// The ffmpeg command line that makes a ladder in one process: FLV or MPEG-TS on stdin (<see cref="FfmpegInput"/>), decoded once,
/// scaled down rung by rung (each rung from the next larger one, bilinear), one libx264 encoder
/// per rung with keyframes exactly where the source has them, audio passed through once, one
/// MPEG-TS on stdout with a fixed PID per rung (<see cref="VideoPid"/>) and one for audio
/// (<see cref="AudioPid"/>).
/// </summary>
/// <remarks>
/// Measured with bench/transcode.sh (1080p30 to the default ladder on 2 cores): chaining the
/// scales instead of scaling every rung from the source saves a tenth of the CPU, and x264 frame
/// threads with no lookahead and no B-frames run about 1.4x faster than <c>-tune zerolatency</c>
/// (slice threads), for a delay of a couple of frames.
/// </remarks>
public static class LadderCommand
{
    public const int FirstPid = 0x100;

    /// <summary>A rung's bitrate is not capped below this, kbit/s (under it x264 output is mush at any size), unless the source itself has less.</summary>
    public const int MinimumCappedBitrateKbps = 100;

    /// <summary>
    /// The rungs a source of <paramref name="sourceHeight"/> gets: only those below it (never upscale),
    /// and none with more bits than the source has to give. With the source's video bitrate known, a
    /// rung's target is at most that bitrate times its pixel ratio to the source to the power 0.75
    /// (the usual ladder rule): a 400 kbit/s 480p source gets a 260 kbit/s 360p rung, not the ladder's
    /// 800, which players would rank above the source. Capped rungs are copies; the ladder is not changed.
    /// </summary>
    public static IReadOnlyList<RenditionOptions> RungsFor(LadderOptions ladder, int sourceHeight, int? sourceVideoBitrateKbps = null) =>
        ladder.Renditions.Where(r => r.Height < sourceHeight).Select(r => CappedToSource(r, sourceHeight, sourceVideoBitrateKbps)).ToList();

    private static RenditionOptions CappedToSource(RenditionOptions rung, int sourceHeight, int? sourceKbps)
    {
        if (sourceKbps is not > 0)
        {
            return rung;
        }

        var pixelRatio = Math.Pow((double)rung.Height / sourceHeight, 2);
        // The floor never lifts a rung above the source itself.
        var cap = Math.Min(sourceKbps.Value, Math.Max(MinimumCappedBitrateKbps, (int)(sourceKbps.Value * Math.Pow(pixelRatio, 0.75))));
        if (cap >= rung.VideoBitrateKbps)
        {
            return rung;
        }

        return new RenditionOptions
        {
            Name = rung.Name,
            Height = rung.Height,
            VideoBitrateKbps = cap,
            MaxRateKbps = (int)((long)rung.MaxRateKbps * cap / rung.VideoBitrateKbps), // the ladder's peak-to-target ratio kept
            Profile = rung.Profile,
            Preset = rung.Preset,
        };
    }

    public static int VideoPid(int rungIndex) => FirstPid + rungIndex;

    public static int AudioPid(int rungCount) => FirstPid + rungCount;

    /// <summary>Arguments for <see cref="System.Diagnostics.ProcessStartInfo.ArgumentList"/>.</summary>
    /// <param name="quality">What the degradation policy has given up to keep up with real time; null: nothing.</param>
    /// <param name="inputFormat">The container on stdin (<see cref="FfmpegInput.Format"/>).</param>
    public static List<string> Arguments(IReadOnlyList<RenditionOptions> rungs, int? audioBitrateKbps, bool hasAudio, TranscodeQuality? quality = null, string inputFormat = FfmpegInput.Flv)
    {
        quality ??= TranscodeQuality.Full;
        if (rungs.Count == 0)
        {
            throw new ArgumentException("a ladder command needs at least one rung", nameof(rungs));
        }

        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-f", inputFormat, "-i", "pipe:0", "-copyts" };
        args.AddRange(["-filter_complex", FilterGraph(rungs, quality.HalfFrameRate)]);
        for (var i = 0; i < rungs.Count; i++)
        {
            var r = rungs[i];
            args.AddRange(
            [
                "-map", $"[v{i}]",
                $"-c:v:{I(i)}", "libx264",
                $"-preset:v:{I(i)}", quality.Preset ?? r.Preset,
                $"-profile:v:{I(i)}", r.Profile,
                $"-b:v:{I(i)}", $"{I(r.VideoBitrateKbps)}k",
                $"-maxrate:v:{I(i)}", $"{I(r.MaxRateKbps)}k",
                $"-bufsize:v:{I(i)}", $"{I(r.MaxRateKbps * 2)}k",
                "-streamid", $"{I(i)}:{I(VideoPid(i))}",
            ]);
        }

        // Real-time encoding (no lookahead, no B-frames) with keyframes at the source's keyframe times
        // and nowhere else, so every rung can be cut at the same keyframe as the source.
        args.AddRange(["-x264-params", "bframes=0:rc-lookahead=0:sync-lookahead=0:sliced-threads=0", "-pix_fmt", "yuv420p", "-force_key_frames", "source", "-sc_threshold", "0"]);
        if (hasAudio)
        {
            args.AddRange(["-map", "0:a", "-streamid", $"{I(rungs.Count)}:{I(AudioPid(rungs.Count))}"]);
            args.AddRange(audioBitrateKbps is { } kbps ? ["-c:a", "aac", "-b:a", $"{I(kbps)}k"] : ["-c:a", "copy"]);
        }

        args.AddRange(["-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", "pipe:1"]);
        return args;
    }

    /// <summary>
    /// <c>[0:v]scale=-2:720,setsar=1,split=2[v0][t0];[t0]scale=-2:480,setsar=1,split=2[v1][t1];[t1]scale=-2:360,setsar=1[v2]</c>:
    /// tallest rung first, each next one scaled from it; output [vN] for rung N in ladder order.
    /// </summary>
    private static string FilterGraph(IReadOnlyList<RenditionOptions> rungs, bool halfFrameRate)
    {
        var order = Enumerable.Range(0, rungs.Count).OrderByDescending(i => rungs[i].Height).ToList();

        // Half frame rate keeps every keyframe (so rungs still cut where the source does) and every other frame.
        var graph = new System.Text.StringBuilder(halfFrameRate ? "[0:v]select='eq(pict_type,I)+not(mod(n,2))'," : "[0:v]");
        for (var step = 0; step < order.Count; step++)
        {
            var rung = order[step];
            if (step > 0)
            {
                graph.Append($";[t{I(step - 1)}]");
            }

            // setsar=1: the even width rounds the aspect by up to a pixel; without it scale keeps the exact
            // aspect in the SAR and players show e.g. 641x360 for a 640x360 rung.
            graph.Append($"scale=-2:{I(rungs[rung].Height)}:flags=bilinear,setsar=1");
            graph.Append(step == order.Count - 1 ? $"[v{I(rung)}]" : $",split=2[v{I(rung)}][t{I(step)}]");
        }

        return graph.ToString();
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
