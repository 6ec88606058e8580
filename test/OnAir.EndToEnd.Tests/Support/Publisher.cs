using System.Globalization;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>A real encoder process publishing a synthetic test pattern (H.264 + AAC) in real time.</summary>
public sealed class Publisher : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private Publisher(ChildProcess process) => _process = process;

    /// <summary>What the encoder printed (its errors: the encoders run quiet).</summary>
    public string StdErr => _process.Output;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>SIGKILL, as a crashed encoder or a pulled cable: no FCUnpublish, the socket just closes.</summary>
    public void KillHard() => _process.KillHard();

    /// <summary>ffmpeg's native RTMP client (or, with <paramref name="format"/> mpegts, its SRT one): testsrc2 + sine, libx264 (or <paramref name="videoCodec"/> libx265) with a fixed GOP, AAC, paced with -re.</summary>
    public static Publisher Ffmpeg(string url, double seconds, int width = 320, int height = 240, int fps = 30, double gopSeconds = 1, string audioCodec = "aac", string format = "flv", string videoCodec = "libx264")
    {
        var gop = (int)Math.Round(gopSeconds * fps);
        string[] args =
        [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-re",
            "-f", "lavfi", "-i", $"testsrc2=size={width}x{height}:rate={fps}",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
            "-t", seconds.ToString(CultureInfo.InvariantCulture),
            "-c:v", videoCodec, "-preset", "ultrafast", "-tune", "zerolatency", "-pix_fmt", "yuv420p",
            .. (videoCodec == "libx265" ? ["-x265-params", "log-level=error"] : Array.Empty<string>()),
            "-g", gop.ToString(CultureInfo.InvariantCulture), "-keyint_min", gop.ToString(CultureInfo.InvariantCulture), "-sc_threshold", "0",
            "-b:v", "400k", "-c:a", audioCodec, "-b:a", "64k",
            "-f", format, url,
        ];
        return Start("ffmpeg", args);
    }

    /// <summary>ffmpeg replaying an encoded clip (see <see cref="TestClip"/>) in a loop at real time, without re-encoding.</summary>
    public static Publisher FfmpegLoop(string url, string clip, double seconds) =>
        Start("ffmpeg",
        [
            "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-stream_loop", "-1", "-i", clip,
            "-t", seconds.ToString(CultureInfo.InvariantCulture), "-c", "copy", "-f", "flv", url,
        ]);

    /// <summary>GStreamer: <paramref name="sink"/> is rtmp2sink (GStreamer's own client) or rtmpsink (librtmp, the client OBS is built on).</summary>
    public static Publisher GStreamer(string sink, string url, int seconds)
    {
        var frames = seconds * 30;
        var audioBuffers = seconds * 44100 / 1024;
        var pipeline =
            $"videotestsrc is-live=true num-buffers={frames} ! video/x-raw,format=I420,width=320,height=240,framerate=30/1 " +
            "! x264enc tune=zerolatency key-int-max=30 speed-preset=ultrafast ! h264parse ! flvmux name=m streamable=true " +
            $"! {sink} location={url} " +
            $"audiotestsrc is-live=true num-buffers={audioBuffers} samplesperbuffer=1024 ! audio/x-raw,rate=44100 ! avenc_aac ! aacparse ! m.";
        return Start("gst-launch-1.0", ["-q", .. pipeline.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);
    }

    /// <summary>Any publishing command line (a relay, a custom pipeline).</summary>
    public static Publisher Start(string fileName, IEnumerable<string> args) => new(ChildProcess.Start(fileName, args));

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
