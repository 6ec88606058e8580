using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using OnAir.Benchmarks;
using OnAir.Benchmarks.Latency;
using OnAir.Benchmarks.Load;
using OnAir.Benchmarks.Recording;
using OnAir.Benchmarks.Transcode;
using Perfolizer.Horology;
using Perfolizer.Metrology;

// `latency ...`: the segment latency tool bench/run.sh uses (see Latency/LatencyTool.cs);
// `ladder-args ...`: the transcoder's ffmpeg arguments bench/transcode.sh runs (see Transcode/LadderArgsTool.cs);
// `ladder-latency ...`: the latency transcoded renditions add behind source, live (see Transcode/LadderLatencyTool.cs);
// `viewers ...`: simulated HLS players following live playlists, for bench/load.sh (see Load/ViewerLoadTool.cs);
// `recording-finalise ...`: a recording of any length written and finalised, timed (see Recording/RecordingFinaliseTool.cs);
// anything else goes to BenchmarkDotNet (e.g. --filter *ChunkParser* --job short).
if (args is ["latency", ..])
{
    return LatencyTool.Run(args[1..]);
}

if (args is ["viewers", ..])
{
    return ViewerLoadTool.Run(args[1..]);
}

if (args is ["recording-finalise", ..])
{
    return RecordingFinaliseTool.Run(args[1..]);
}

if (args is ["ladder-args", ..])
{
    return LadderArgsTool.Run(args[1..]);
}

if (args is ["ladder-latency", ..])
{
    return LadderLatencyTool.Run(args[1..]);
}

// Besides the default exporters, a CSV in plain nanoseconds and bytes (no units, no digit
// grouping) that bench/run.sh reads: *-report-plain.csv.
var plain = new SummaryStyle(CultureInfo.InvariantCulture, printUnitsInHeader: true, sizeUnit: SizeUnit.B, timeUnit: TimeUnit.Nanosecond, printUnitsInContent: false, printZeroValuesInContent: true);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.AddExporter(new PlainCsvExporter(plain)));
return 0;

namespace OnAir.Benchmarks
{
    internal sealed class PlainCsvExporter(SummaryStyle style) : CsvExporter(CsvSeparator.Semicolon, style)
    {
        protected override string FileCaption => "report-plain";
    }
}
