using System.Globalization;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// The ffmpeg command line that makes a ladder in one process: FLV on stdin, decoded once,
/// <c>split</c> and <c>scale</c> to every rung, one libx264 encoder per rung with keyframes exactly
/// where the source has them, audio passed through once, one MPEG-TS on stdout with a fixed PID
/// per rung (<see cref="VideoPid"/>) and one for audio (<see cref="AudioPid"/>).
/// </summary>
public static class LadderCommand
{
    public const int FirstPid = 0x100;

    /// <summary>The rungs a source of <paramref name="sourceHeight"/> gets: only those below it (never upscale).</summary>
    public static IReadOnlyList<RenditionOptions> RungsFor(LadderOptions ladder, int sourceHeight) =>
        ladder.Renditions.Where(r => r.Height < sourceHeight).ToList();

    public static int VideoPid(int rungIndex) => FirstPid + rungIndex;

    public static int AudioPid(int rungCount) => FirstPid + rungCount;

    /// <summary>Arguments for <see cref="System.Diagnostics.ProcessStartInfo.ArgumentList"/>.</summary>
    /// <param name="quality">What the degradation policy has given up to keep up with real time; null: nothing.</param>
    public static List<string> Arguments(IReadOnlyList<RenditionOptions> rungs, int? audioBitrateKbps, bool hasAudio, TranscodeQuality? quality = null)
    {
        quality ??= TranscodeQuality.Full;
        if (rungs.Count == 0)
        {
            throw new ArgumentException("a ladder command needs at least one rung", nameof(rungs));
        }

        var args = new List<string> { "-hide_banner", "-loglevel", "error", "-f", "flv", "-i", "pipe:0", "-copyts" };
        var split = string.Concat(Enumerable.Range(0, rungs.Count).Select(i => $"[s{i}]"));
        var scales = string.Concat(rungs.Select((r, i) => $";[s{i}]scale=-2:{I(r.Height)}[v{i}]"));
        // Half frame rate keeps every keyframe (so rungs still cut where the source does) and every other frame.
        var frameRate = quality.HalfFrameRate ? "select='eq(pict_type,I)+not(mod(n,2))'," : "";
        args.AddRange(["-filter_complex", $"[0:v]{frameRate}split={I(rungs.Count)}{split}{scales}"]);
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

        // Real-time encoding with keyframes at the source's keyframe times and nowhere else, so every
        // rung can be cut at the same keyframe as the source.
        args.AddRange(["-tune", "zerolatency", "-pix_fmt", "yuv420p", "-force_key_frames", "source", "-sc_threshold", "0"]);
        if (hasAudio)
        {
            args.AddRange(["-map", "0:a", "-streamid", $"{I(rungs.Count)}:{I(AudioPid(rungs.Count))}"]);
            args.AddRange(audioBitrateKbps is { } kbps ? ["-c:a", "aac", "-b:a", $"{I(kbps)}k"] : ["-c:a", "copy"]);
        }

        args.AddRange(["-muxdelay", "0", "-muxpreload", "0", "-f", "mpegts", "pipe:1"]);
        return args;
    }

    private static string I(int value) => value.ToString(CultureInfo.InvariantCulture);
}
