using System.Diagnostics;
using System.Globalization;
using System.Text;
using OnAir.Testing;

namespace OnAir.Benchmarks.Latency;

/// <summary>
/// <c>latency</c> subcommand: publishes an FLV file over RTMP in real time (paced by its
/// timestamps, looped as needed), records when each video keyframe was handed to the kernel, and
/// polls the server's playlist file every millisecond. For each new segment:
/// latency = time the playlist first listed it - send time of the keyframe that closed it (the
/// keyframe that starts the next segment). The closing keyframe is found from the playlist itself:
/// the segment's end = first keyframe's timestamp + the EXTINF durations up to and including it.
/// Works the same for any server that writes its playlist by rename (OnAir, nginx-rtmp).
/// </summary>
internal static class LatencyTool
{
    private const string Usage = """
        usage: OnAir.Benchmarks latency --rtmp rtmp://127.0.0.1:PORT/APP/KEY --input FILE.flv
                 --watch-root DIR --playlist-file NAME [--segments 30] [--warmup-segments 2]
                 [--max-seconds 150] [--label NAME] [--csv FILE]
        """;

    private sealed record SentKeyFrame(long MediaMs, long SentTimestamp);

    public static int Run(string[] args)
    {
        var options = ParseArgs(args);
        if (options is null)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var url = new Uri(options["rtmp"]);
        var path = url.AbsolutePath.Trim('/').Split('/', 2);
        if (url.Scheme != "rtmp" || path.Length != 2)
        {
            Console.Error.WriteLine("--rtmp must look like rtmp://HOST:PORT/APP/KEY");
            return 2;
        }

        var measured = int.Parse(options.GetValueOrDefault("segments", "30"), CultureInfo.InvariantCulture);
        var warmup = int.Parse(options.GetValueOrDefault("warmup-segments", "2"), CultureInfo.InvariantCulture);
        var maxSeconds = double.Parse(options.GetValueOrDefault("max-seconds", "150"), CultureInfo.InvariantCulture);
        var label = options.GetValueOrDefault("label", "server");
        var tags = FlvFile.ReadTags(options["input"]);

        var (loopMs, firstKeyMs) = MeasureLoop(tags);
        var keyFrames = new List<SentKeyFrame>();
        var segments = new List<ListedSegment>();
        var gate = new object();
        var slowSends = 0;
        long disconnectedAt = long.MaxValue;
        using var watcher = new PlaylistWatcher(options["watch-root"], options["playlist-file"], segment =>
        {
            lock (gate)
            {
                segments.Add(segment);
            }
        });
        watcher.Start();

        var wanted = warmup + measured;
        var clock = Stopwatch.StartNew();
        using (var publisher = RtmpPublisher.Connect(url.Host, url.Port, path[0], path[1], TimeSpan.FromSeconds(10)))
        {
            var startTicks = Stopwatch.GetTimestamp();
            uint lastAudio = 0, lastVideo = 0;
            var done = false;
            for (var loop = 0; !done; loop++)
            {
                foreach (var tag in tags)
                {
                    if (loop > 0 && IsConfigOrScript(tag))
                    {
                        continue; // sequence headers and metadata once, as a looping ffmpeg sends them
                    }

                    var mediaMs = tag.TimestampMs + (long)loop * loopMs;
                    ref var last = ref tag.Type == 8 ? ref lastAudio : ref lastVideo;
                    if (loop > 0 && tag.Type is 8 or 9 && mediaMs <= last)
                    {
                        continue; // keep each track monotonic across the loop point
                    }

                    WaitUntil(startTicks, mediaMs);
                    var sent = publisher.SendTag(tag.Type, (uint)mediaMs, tag.Body, out var blocked);
                    if (tag.Type is 8 or 9)
                    {
                        last = (uint)mediaMs;
                    }

                    if (IsVideoKeyFrame(tag))
                    {
                        lock (gate)
                        {
                            keyFrames.Add(new SentKeyFrame(mediaMs, sent));
                        }

                        if (Stopwatch.GetElapsedTime(0, blocked).TotalMilliseconds > 1)
                        {
                            slowSends++;
                        }
                    }

                    lock (gate)
                    {
                        done = segments.Count >= wanted;
                    }

                    if (done || clock.Elapsed.TotalSeconds > maxSeconds || watcher.Error is not null)
                    {
                        done = true;
                        break;
                    }
                }
            }

            // Let the watcher see a last playlist update before the connection closes; segments
            // listed after that (a server closes the last, short segment on disconnect) do not count.
            Thread.Sleep(50);
            disconnectedAt = Stopwatch.GetTimestamp();
        }

        watcher.Dispose();
        if (watcher.Error is { } error)
        {
            Console.Error.WriteLine($"{label}: playlist watcher failed: {error}");
            return 1;
        }

        List<ListedSegment> listed;
        lock (gate)
        {
            listed = [.. segments.Where(s => s.SeenTimestamp < disconnectedAt).OrderBy(s => s.Sequence)];
        }

        if (slowSends > 0)
        {
            Console.Error.WriteLine($"{label}: the last byte of {slowSends} keyframes took over 1 ms to send (send blocked, or this tool was not scheduled; their latency is overstated by that much at most)");
        }

        return Report(label, listed, keyFrames, firstKeyMs, warmup, measured, options.GetValueOrDefault("csv"), watcher);
    }

    private static int Report(string label, List<ListedSegment> listed, List<SentKeyFrame> keyFrames, long firstKeyMs, int warmup, int measured, string? csvPath, PlaylistWatcher watcher)
    {
        if (listed.Count <= warmup)
        {
            Console.Error.WriteLine($"{label}: only {listed.Count} segments listed (playlist {watcher.PlaylistPath ?? "never found"}), need more than {warmup}");
            return 1;
        }

        var csv = new StringBuilder("label,sequence,uri,extinf_s,end_ms,keyframe_ms,match_error_ms,latency_ms,warmup\n");
        var latencies = new List<double>();
        double endMs = firstKeyMs;
        double maxMatchError = 0;
        var unmatched = 0;
        for (var i = 0; i < listed.Count; i++)
        {
            var segment = listed[i];
            if (i > 0 && segment.Sequence != listed[i - 1].Sequence + 1)
            {
                Console.Error.WriteLine($"{label}: segment sequence jumps from {listed[i - 1].Sequence} to {segment.Sequence}; durations before it are unknown, stopping there");
                break;
            }

            endMs += segment.DurationSeconds * 1000;
            var closing = keyFrames.MinBy(k => Math.Abs(k.MediaMs - endMs));
            var matchError = closing is null ? double.NaN : Math.Abs(closing.MediaMs - endMs);
            var latencyMs = closing is null ? double.NaN : Stopwatch.GetElapsedTime(closing.SentTimestamp, segment.SeenTimestamp).TotalMilliseconds;

            // A keyframe 100 ms away from the computed end, or sent after the segment was listed, is not the closing one.
            var matched = closing is not null && matchError < 100 && closing.SentTimestamp <= segment.SeenTimestamp;
            var isWarmup = i < warmup;
            csv.Append(CultureInfo.InvariantCulture, $"{label},{segment.Sequence},{segment.Uri},{segment.DurationSeconds:0.000},{endMs:0},{closing?.MediaMs},{matchError:0.0},{latencyMs:0.000},{(isWarmup ? 1 : 0)}\n");
            if (!matched)
            {
                unmatched++;
                continue;
            }

            maxMatchError = Math.Max(maxMatchError, matchError);
            if (!isWarmup && latencies.Count < measured)
            {
                latencies.Add(latencyMs);
            }
        }

        if (csvPath is not null)
        {
            File.WriteAllText(csvPath, csv.ToString());
        }

        if (latencies.Count == 0)
        {
            Console.Error.WriteLine($"{label}: no segment could be matched to its closing keyframe ({unmatched} unmatched)");
            return 1;
        }

        latencies.Sort();
        var p50 = Percentile(latencies, 0.50);
        var p95 = Percentile(latencies, 0.95);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: {latencies.Count} segments (after {warmup} warm-up), latency ms p50 {p50:0.0} p95 {p95:0.0} max {latencies[^1]:0.0} min {latencies[0]:0.0}; unmatched {unmatched}, max keyframe match error {maxMatchError:0.0} ms, playlist {watcher.PlaylistPath}, {watcher.Polls} polls"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {label} {latencies.Count} {p50:0.0} {p95:0.0} {latencies[^1]:0.0} {unmatched}"));
        return 0;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    /// <summary>Length of one pass of the file (so the next pass continues the timeline) and the first keyframe's timestamp.</summary>
    private static (long LoopMs, long FirstKeyMs) MeasureLoop(IReadOnlyList<FlvTag> tags)
    {
        var video = tags.Where(t => t.Type == 9 && !IsConfigOrScript(t)).Select(t => (long)t.TimestampMs).ToList();
        var firstKey = tags.FirstOrDefault(IsVideoKeyFrame) ?? throw new InvalidDataException("the input has no video keyframe");
        if (video.Count < 2)
        {
            throw new InvalidDataException("the input needs at least two video frames");
        }

        // N frames span N-1 intervals; one pass lasts N intervals.
        var span = video[^1] - video[0];
        return ((long)Math.Round(span * (double)video.Count / (video.Count - 1)), firstKey.TimestampMs);
    }

    private static bool IsConfigOrScript(FlvTag tag) => tag.Type switch
    {
        9 => tag.Body.Length > 1 && (tag.Body[0] & 0x0F) == 7 && tag.Body[1] == 0, // AVC sequence header
        8 => tag.Body.Length > 1 && (tag.Body[0] >> 4) == 10 && tag.Body[1] == 0,  // AAC sequence header
        _ => true,
    };

    private static bool IsVideoKeyFrame(FlvTag tag) =>
        tag.Type == 9 && tag.Body.Length > 1 && (tag.Body[0] >> 4) == 1 && !IsConfigOrScript(tag);

    private static void WaitUntil(long startTicks, long mediaMs)
    {
        while (true)
        {
            var remaining = mediaMs - Stopwatch.GetElapsedTime(startTicks).TotalMilliseconds;
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > 2)
            {
                Thread.Sleep((int)(remaining - 1));
            }
            else
            {
                Thread.SpinWait(50);
            }
        }
    }

    private static Dictionary<string, string>? ParseArgs(string[] args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                return null;
            }

            options[args[i][2..]] = args[i + 1];
        }

        string[] required = ["rtmp", "input", "watch-root", "playlist-file"];
        return required.All(options.ContainsKey) ? options : null;
    }
}
