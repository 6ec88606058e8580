using System.Globalization;
using OnAir.Transcoding;
using OnAir.Transcoding.Ffmpeg;

namespace OnAir.Benchmarks.Transcode;

/// <summary>
/// <c>ladder-args</c> subcommand: prints the ffmpeg arguments OnAir's transcoder runs
/// (<see cref="LadderCommand.Arguments"/>) for the built-in default ladder, one per line, so
/// bench/transcode.sh runs the real command rather than a copy (<c>mapfile -t</c> reads them).
/// <c>--rung NAME</c> prints the same command for that rung alone (a one-rung list), which is the
/// per-rung reference: a process that decodes the source and makes only that rung, with the
/// identical scale filter and x264 settings by construction. <c>--list-rungs</c> prints the names
/// of the rungs a source of that height gets.
/// </summary>
internal static class LadderArgsTool
{
    private const string Usage = """
        usage: OnAir.Benchmarks ladder-args [--source-height 1080] [--rung NAME] [--no-audio]
               OnAir.Benchmarks ladder-args --list-rungs [--source-height 1080]
          Prints OnAir's ffmpeg arguments for the default ladder, one per line (FLV on stdin, MPEG-TS on stdout).
        """;

    public static int Run(string[] args)
    {
        var sourceHeight = 1080;
        string? rungName = null;
        var hasAudio = true;
        var listRungs = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--source-height" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out sourceHeight):
                    i++;
                    break;
                case "--rung" when i + 1 < args.Length:
                    rungName = args[++i];
                    break;
                case "--no-audio":
                    hasAudio = false;
                    break;
                case "--list-rungs":
                    listRungs = true;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        var ladder = Ladders.Default();
        var rungs = LadderCommand.RungsFor(ladder, sourceHeight);
        if (rungs.Count == 0)
        {
            Console.Error.WriteLine($"ladder-args: a {sourceHeight}p source gets no rung of the default ladder");
            return 1;
        }

        if (listRungs)
        {
            rungs.ToList().ForEach(r => Console.Out.Write(r.Name + "\n"));
            return 0;
        }

        if (rungName is not null)
        {
            var rung = rungs.FirstOrDefault(r => r.Name == rungName);
            if (rung is null)
            {
                Console.Error.WriteLine($"ladder-args: no rung '{rungName}' for a {sourceHeight}p source (rungs: {string.Join(", ", rungs.Select(r => r.Name))})");
                return 1;
            }

            rungs = [rung];
        }

        var arguments = LadderCommand.Arguments(rungs, ladder.AudioBitrateKbps, hasAudio);
        if (arguments.Any(a => a.Contains('\n', StringComparison.Ordinal)))
        {
            Console.Error.WriteLine("ladder-args: an argument contains a newline; one per line cannot carry it");
            return 1;
        }

        arguments.ForEach(a => Console.Out.Write(a + "\n"));
        return 0;
    }
}
