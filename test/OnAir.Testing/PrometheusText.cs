using System.Globalization;
using System.Text.RegularExpressions;

namespace OnAir.Testing;

/// <summary>One sample of a Prometheus text exposition: metric name, labels, value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict parser of the Prometheus text format (version 0.0.4) as a scraper reads it: every line
/// is a comment (# HELP / # TYPE with a valid name and type) or a sample (name, optional labels with
/// quoted and escaped values, a float); anything else throws with the line.
/// </summary>
public static partial class PrometheusText
{
    private static readonly HashSet<string> s_types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static List<PrometheusSample> Parse(string text)
    {
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#'))
            {
                var comment = CommentLine().Match(line);
                if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
                {
                    if (!comment.Success)
                    {
                        throw new FormatException($"malformed metadata line: {line}");
                    }

                    if (comment.Groups["kind"].Value == "TYPE")
                    {
                        var type = comment.Groups["rest"].Value;
                        if (!s_types.Contains(type) || !types.TryAdd(comment.Groups["name"].Value, type))
                        {
                            throw new FormatException($"bad or repeated TYPE: {line}");
                        }
                    }
                }

                continue;
            }

            var sample = SampleLine().Match(line);
            if (!sample.Success)
            {
                throw new FormatException($"malformed sample line: {line}");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in LabelPair().Matches(sample.Groups["labels"].Value))
            {
                var value = label.Groups["value"].Value.Replace("\\\"", "\"", StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                if (!labels.TryAdd(label.Groups["name"].Value, value))
                {
                    throw new FormatException($"repeated label in: {line}");
                }
            }

            var number = sample.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                "NaN" => double.NaN,
                var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
            };
            samples.Add(new PrometheusSample(sample.Groups["name"].Value, labels, number));
        }

        return samples;
    }

    /// <summary>The value of the one sample named <paramref name="name"/> whose labels include <paramref name="labels"/>.</summary>
    public static double Value(IEnumerable<PrometheusSample> samples, string name, params (string Name, string Value)[] labels)
    {
        var matching = samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value)).ToList();
        return matching.Count == 1
            ? matching[0].Value
            : throw new InvalidOperationException($"{matching.Count} samples of {name} with {string.Join(',', labels.Select(l => $"{l.Name}={l.Value}"))}");
    }

    [GeneratedRegex(@"^# (?<kind>HELP|TYPE) (?<name>[a-zA-Z_:][a-zA-Z0-9_:]*) (?<rest>.*)$")]
    private static partial Regex CommentLine();

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>([a-zA-Z_][a-zA-Z0-9_]*=""([^""\\]|\\.)*"",?)*)\})? (?<value>[^ ]+)( -?[0-9]+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>([^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
