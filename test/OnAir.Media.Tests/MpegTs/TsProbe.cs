using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>One stream of a transport stream as ffprobe -show_streams describes it.</summary>
internal sealed record TsProbeStream(int Index, int Pid, string CodecType, string? Profile, int Width, int Height, int SampleRate, int Channels);

/// <summary>One packet as ffprobe -show_packets -show_data describes it; timestamps in 90 kHz ticks.</summary>
internal sealed record TsProbePacket(int Pid, string CodecType, long Dts, long Pts, bool IsKey, byte[] Data);

/// <summary>ffprobe's (the reference's) view of a TS vector, per PID. Probed once per vector per test run.</summary>
internal sealed record TsProbe(IReadOnlyList<TsProbeStream> Streams, IReadOnlyList<TsProbePacket> Packets)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<TsProbe>>> s_cache = new();

    public IReadOnlyList<TsProbePacket> PacketsOf(int pid) => Packets.Where(p => p.Pid == pid).ToList();

    public static Task<TsProbe> OfVectorAsync(string vector) =>
        s_cache.GetOrAdd(vector, v => new Lazy<Task<TsProbe>>(() => ProbeAsync(TestVectors.Path(v)))).Value;

    private static async Task<TsProbe> ProbeAsync(string path)
    {
        var json = await ExternalTool.FfprobeJsonAsync(path, "-show_streams", "-show_packets", "-show_data");
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        var streams = new List<TsProbeStream>();
        foreach (var s in root.GetProperty("streams").EnumerateArray())
        {
            Assert.Equal("1/90000", s.GetProperty("time_base").GetString());
            streams.Add(new TsProbeStream(
                s.GetProperty("index").GetInt32(),
                Convert.ToInt32(s.GetProperty("id").GetString(), 16),
                s.GetProperty("codec_type").GetString()!,
                Str(s, "profile"),
                Int(s, "width"),
                Int(s, "height"),
                Str(s, "sample_rate") is { } rate ? int.Parse(rate, CultureInfo.InvariantCulture) : 0,
                Int(s, "channels")));
        }

        var packets = new List<TsProbePacket>();
        foreach (var p in root.GetProperty("packets").EnumerateArray())
        {
            var stream = streams.Single(s => s.Index == p.GetProperty("stream_index").GetInt32());
            packets.Add(new TsProbePacket(
                stream.Pid,
                stream.CodecType,
                p.GetProperty("dts").GetInt64(),
                p.GetProperty("pts").GetInt64(),
                p.GetProperty("flags").GetString()!.Contains('K', StringComparison.Ordinal),
                HexDump(Str(p, "data"))));
        }

        return new TsProbe(streams, packets);
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt32() : 0;

    /// <summary>ffprobe's -show_data format: "00000000: 0142 c01e ...  ascii", 16 bytes a line, hex in columns 10..49.</summary>
    private static byte[] HexDump(string? dump)
    {
        var bytes = new List<byte>();
        foreach (var line in (dump ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var hex = line.Substring(10, Math.Min(40, line.Length - 10)).Replace(" ", "", StringComparison.Ordinal);
            bytes.AddRange(Convert.FromHexString(hex));
        }

        return [.. bytes];
    }
}
