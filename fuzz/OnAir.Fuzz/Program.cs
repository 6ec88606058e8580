using System.Globalization;
using OnAir.Fuzz.Engine;
using OnAir.Fuzz.Targets;

// The fuzz runner: `OnAir.Fuzz all --seconds 3` (the short pass of test.sh), `OnAir.Fuzz amf0
// --executions 10000000` (a campaign), `OnAir.Fuzz amf0 --repro FILE` (a finding, once),
// `OnAir.Fuzz amf0 --afl` (one target under afl-fuzz). Exit code 1 when a target crashed; findings
// are written under --findings (default fuzz/findings).
CoverageMap.EnsureInstalled();
var options = Arguments.Parse(args);
if (options.List)
{
    Console.WriteLine(string.Join('\n', FuzzTargets.All.Select(t => t.Name)));
    return 0;
}

var selected = options.Target == "all" ? FuzzTargets.All : FuzzTargets.All.Where(t => t.Name == options.Target).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"OnAir.Fuzz: no target '{options.Target}' (targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}, or all)");
    return 2;
}

if (options.WriteSeeds is { } seedDirectory)
{
    var n = 0;
    foreach (var seed in selected[0].Seeds().Concat(Regressions(selected[0].Name)))
    {
        File.WriteAllBytes(Path.Combine(seedDirectory, $"seed-{n++:D3}"), seed);
    }

    return 0;
}

if (options.Afl)
{
    // Under afl-fuzz (fuzz/afl.sh): SharpFuzz's fork-server loop feeds this target AFL++'s inputs on stdin.
    var fuzz = selected[0].Fuzz;
    SharpFuzz.Fuzzer.Run(stdin =>
    {
        using var input = new MemoryStream();
        stdin.CopyTo(input);
        fuzz(input.ToArray());
    });
    return 0;
}

if (options.Repro is { } file)
{
    selected[0].Fuzz(File.ReadAllBytes(file)); // an escaping exception is the finding, with its stack
    Console.WriteLine($"{selected[0].Name}: {file} ran without a finding");
    return 0;
}

var crashed = false;
Console.WriteLine("| target | executions | seconds | per second | corpus | edges | crashes |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
foreach (var target in selected)
{
    var engine = new FuzzEngine(options.Findings, options.MaxLength, options.Seed);
    var report = engine.Run(target.Name, target.Fuzz, target.Seeds().Concat(Regressions(target.Name)), options.Budget, options.Executions);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {report.Target} | {report.Executions:N0} | {report.Elapsed.TotalSeconds:0.0} | {report.PerSecond:N0} | {report.Corpus} | {report.Edges} | {report.Crashes.Count} |"));
    foreach (var crash in report.Crashes)
    {
        Console.Error.WriteLine($"  {target.Name}: {crash}");
    }

    crashed |= report.Crashes.Count > 0;
}

return crashed ? 1 : 0;

// Every input that once crashed or hung a target, kept as a seed so each run replays it first.
static IEnumerable<byte[]> Regressions(string target)
{
    var directory = Path.Combine(OnAir.Testing.TestVectors.RepositoryRoot, "fuzz", "regressions", target);
    return Directory.Exists(directory) ? Directory.EnumerateFiles(directory).Order(StringComparer.Ordinal).Select(File.ReadAllBytes) : [];
}

/// <summary>The runner's command line.</summary>
internal sealed record Arguments(string Target, TimeSpan Budget, long Executions, string Findings, int Seed, int MaxLength, string? Repro, bool List, bool Afl, string? WriteSeeds = null)
{
    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments(args.FirstOrDefault(a => !a.StartsWith('-')) ?? "all", TimeSpan.FromSeconds(10), long.MaxValue, Path.Combine("fuzz", "findings"), 1, 64 * 1024, null, args.Contains("--list"), args.Contains("--afl"));
        for (var i = 0; i < args.Length - 1; i++)
        {
            var value = args[i + 1];
            parsed = args[i] switch
            {
                "--seconds" => parsed with { Budget = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--executions" => parsed with { Executions = long.Parse(value, CultureInfo.InvariantCulture), Budget = TimeSpan.FromDays(30) },
                "--findings" => parsed with { Findings = value },
                "--seed" => parsed with { Seed = int.Parse(value, CultureInfo.InvariantCulture) },
                "--max-length" => parsed with { MaxLength = int.Parse(value, CultureInfo.InvariantCulture) },
                "--repro" => parsed with { Repro = value },
                "--write-seeds" => parsed with { WriteSeeds = value },
                _ => parsed,
            };
        }

        return parsed;
    }
}
