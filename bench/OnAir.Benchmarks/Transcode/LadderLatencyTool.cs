using System.Globalization;
using System.Text.RegularExpressions;

namespace OnAir.Benchmarks.Transcode;

/// <summary>
/// <c>ladder-latency</c> subcommand: watches a live stream's renditions over HTTP the way players
/// reload them (every 50 ms here) and reports how much later each transcoded rendition lists
/// segment N than <c>source</c> does (the latency transcoding adds), with the transcoder's own
/// figures sampled from /metrics once a second (speed, lag, degradation level, restarts).
/// </summary>
internal static partial class LadderLatencyTool
{
    private const string Usage = """
        usage: OnAir.Benchmarks ladder-latency --base http://127.0.0.1:8080 --stream NAME --renditions 720p,480p,360p --seconds 60
          Prints one RESULT line per rendition: RESULT name compared p50_ms p95_ms max_ms, then METRICS lines.
        """;

    private static readonly string[] s_figures = ["speed", "lag", "level", "restarts"];

    public static int Run(string[] args)
    {
        string? baseUrl = null, stream = null;
        string[] renditions = [];
        var seconds = 60.0;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--base": baseUrl = args[i + 1].TrimEnd('/'); break;
                case "--stream": stream = args[i + 1]; break;
                case "--renditions": renditions = args[i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries); break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine(Usage); return 2;
            }
        }

        if (baseUrl is null || stream is null || renditions.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        return RunAsync(baseUrl, stream, renditions, TimeSpan.FromSeconds(seconds)).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(string baseUrl, string stream, string[] renditions, TimeSpan duration)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        string[] all = ["source", .. renditions];
        var firstSeen = all.ToDictionary(r => r, _ => new Dictionary<long, DateTime>());
        var samples = new List<Dictionary<string, double>>();
        var started = DateTime.UtcNow;
        var nextMetrics = started;
        while (DateTime.UtcNow - started < duration)
        {
            foreach (var rendition in all)
            {
                var text = await TryGetAsync(http, $"{baseUrl}/live/{stream}/{rendition}/playlist.m3u8");
                if (text is null)
                {
                    continue;
                }

                var now = DateTime.UtcNow;
                foreach (var sequence in ListedSequences(text))
                {
                    firstSeen[rendition].TryAdd(sequence, now);
                }
            }

            if (DateTime.UtcNow >= nextMetrics)
            {
                nextMetrics += TimeSpan.FromSeconds(1);
                if (await TryGetAsync(http, $"{baseUrl}/metrics") is { } metrics)
                {
                    samples.Add(ParseMetrics(metrics, stream));
                }
            }

            await Task.Delay(50);
        }

        foreach (var rendition in renditions)
        {
            // Only segments both were first seen listing while watched (the first reload lists a window at once).
            var firstSource = firstSeen["source"].Keys.DefaultIfEmpty(0).Min();
            var delays = firstSeen[rendition]
                .Where(p => p.Key > firstSource && firstSeen["source"].ContainsKey(p.Key))
                .Select(p => (p.Value - firstSeen["source"][p.Key]).TotalMilliseconds)
                .Order()
                .ToList();
            Console.WriteLine(delays.Count == 0
                ? $"RESULT {rendition} 0 - - -"
                : string.Create(CultureInfo.InvariantCulture, $"RESULT {rendition} {delays.Count} {Percentile(delays, 0.5):0} {Percentile(delays, 0.95):0} {delays[^1]:0}"));
        }

        foreach (var name in s_figures)
        {
            var values = samples.Where(s => s.ContainsKey(name)).Select(s => s[name]).Order().ToList();
            Console.WriteLine(values.Count == 0
                ? $"METRICS {name} 0 - - - -"
                : string.Create(CultureInfo.InvariantCulture, $"METRICS {name} {values.Count} {values[0]:0.00} {Percentile(values, 0.5):0.00} {Percentile(values, 0.95):0.00} {values[^1]:0.00}"));
        }

        return 0;
    }

    private static async Task<string?> TryGetAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync() : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Media sequence numbers of the segments a playlist lists (gaps included: they are numbered too).</summary>
    private static IEnumerable<long> ListedSequences(string playlist)
    {
        var lines = playlist.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = lines.Where(l => l.StartsWith("#EXT-X-MEDIA-SEQUENCE:", StringComparison.Ordinal))
            .Select(l => long.Parse(l["#EXT-X-MEDIA-SEQUENCE:".Length..], CultureInfo.InvariantCulture)).FirstOrDefault();
        var count = lines.Count(l => !l.StartsWith('#'));
        return Enumerable.Range(0, count).Select(i => first + i);
    }

    private static Dictionary<string, double> ParseMetrics(string text, string stream)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (Match m in MetricLine().Matches(text))
        {
            if (m.Groups["stream"].Value != stream)
            {
                continue;
            }

            var value = double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
            switch (m.Groups["name"].Value)
            {
                case "onair_transcode_speed": values["speed"] = value; break;
                case "onair_transcode_lag_seconds": values["lag"] = value; break;
                case "onair_transcode_degradation_level": values["level"] = value; break;
                case "onair_transcode_restarts_total": values["restarts"] = value; break;
            }
        }

        return values;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    [GeneratedRegex(@"^(?<name>onair_transcode_[a-z_]+)\{[^}]*stream=""(?<stream>[^""]+)""[^}]*\} (?<value>\S+)$", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
