using System.Diagnostics;
using System.Security.Cryptography;

namespace OnAir.Fuzz.Engine;

/// <summary>One input to a target.</summary>
internal delegate void FuzzAction(ReadOnlySpan<byte> input);

/// <summary>What a run found.</summary>
internal sealed record FuzzReport(string Target, long Executions, TimeSpan Elapsed, int Corpus, int Edges, IReadOnlyList<string> Crashes)
{
    public double PerSecond => Executions / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// A coverage-guided fuzzer in the target's own process (libFuzzer's shape, without a native
/// driver): mutate a corpus entry, run the target on it, keep the input when SharpFuzz's edge map
/// shows something new. An exception that escapes the target is a crash: its input is written to
/// the findings directory once per distinct place. An execution that runs past the hang limit
/// writes its input and ends the process: a parser must never loop on a peer's bytes.
/// </summary>
internal sealed class FuzzEngine
{
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(2);

    private readonly string _findings;
    private readonly int _maxLength;
    private readonly int _seed;

    public FuzzEngine(string findings, int maxLength, int seed)
    {
        _findings = findings;
        _maxLength = maxLength;
        _seed = seed;
    }

    /// <param name="budget">How long to fuzz.</param>
    /// <param name="maxExecutions">Stop after this many executions, if sooner.</param>
    public FuzzReport Run(string target, FuzzAction fuzz, IEnumerable<byte[]> seeds, TimeSpan budget, long maxExecutions)
    {
        var coverage = new CoverageMap();
        var mutator = new Mutator(_seed, _maxLength);
        var corpus = new List<byte[]>();
        var crashes = new Dictionary<string, string>(StringComparer.Ordinal);
        byte[] current = [];
        var started = Stopwatch.GetTimestamp();
        var executionStarted = 0L;
        using var watchdog = new Timer(_ =>
        {
            var at = Volatile.Read(ref executionStarted);
            if (at != 0 && Stopwatch.GetElapsedTime(at) > s_hangLimit)
            {
                var path = Save(target, "hang", Volatile.Read(ref current));
                Environment.FailFast($"fuzz target {target}: one execution ran over {s_hangLimit.TotalSeconds} s (a hang); its input is {path}");
            }
        }, null, TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(500));

        bool Execute(byte[] input)
        {
            Volatile.Write(ref current, input);
            coverage.Reset();
            Volatile.Write(ref executionStarted, Stopwatch.GetTimestamp());
            try
            {
                fuzz(input);
            }
            catch (Exception ex)
            {
                Volatile.Write(ref executionStarted, 0);
                var place = $"{ex.GetType().Name} at {FirstOwnFrame(ex)}";
                if (!crashes.ContainsKey(place))
                {
                    crashes[place] = $"{place}: {ex.Message} (input {Save(target, "crash", input)})";
                }

                return false;
            }

            Volatile.Write(ref executionStarted, 0);
            return coverage.Merge();
        }

        long executions = 0;
        foreach (var seed in seeds.Append([]))
        {
            var input = seed.Length > _maxLength ? seed[.._maxLength] : seed;
            executions++;
            if (Execute(input) || corpus.Count == 0)
            {
                corpus.Add(input);
            }
        }

        var deadline = started + (long)(budget.TotalSeconds * Stopwatch.Frequency);
        while (executions < maxExecutions && (executions % 256 != 0 || Stopwatch.GetTimestamp() < deadline))
        {
            var input = mutator.Mutate(corpus[mutator.Random.Next(corpus.Count)], corpus);
            executions++;
            if (Execute(input))
            {
                corpus.Add(input);
            }
        }

        return new FuzzReport(target, executions, Stopwatch.GetElapsedTime(started), corpus.Count, coverage.Edges, [.. crashes.Values]);
    }

    /// <summary>Writes a finding's input under its SHA-256 (the same input is written once); returns its path.</summary>
    private string Save(string target, string kind, byte[] input)
    {
        Directory.CreateDirectory(_findings);
        var path = Path.Combine(_findings, $"{target}-{kind}-{Convert.ToHexStringLower(SHA256.HashData(input))[..12]}.bin");
        File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>Where in OnAir's code the exception was thrown (the first frame that is not the framework's).</summary>
    private static string FirstOwnFrame(Exception ex)
    {
        var frames = new StackTrace(ex, fNeedFileInfo: false).GetFrames();
        var own = frames.FirstOrDefault(f => f.GetMethod()?.DeclaringType?.Namespace?.StartsWith("OnAir", StringComparison.Ordinal) == true) ?? frames.FirstOrDefault();
        var method = own?.GetMethod();
        return method is null ? "?" : $"{method.DeclaringType?.Name}.{method.Name}";
    }
}
