using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using OnAir.Media;

namespace OnAir.Testing;

/// <summary>One stream as ffprobe -show_streams -show_data describes it.</summary>
public sealed record ProbeStream(
    int Index,
    string CodecType,
    string? Profile,
    int Width,
    int Height,
    int Level,
    int SampleRate,
    int Channels,
    string? FrameRate,
    int NalLengthSize,
    byte[] Extradata,
    string? CodecName = null);

/// <summary>One packet as ffprobe -show_packets -show_data describes it; timestamps already in 90 kHz ticks.</summary>
public sealed record ProbePacket(string CodecType, long? Dts, long? Pts, bool IsKey, byte[] Data);

/// <summary>What ffprobe (the reference) says about a test vector. Probed once per vector per test run.</summary>
public sealed record ProbeResult(IReadOnlyList<ProbeStream> Streams, IReadOnlyList<ProbePacket> Packets)
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<ProbeResult>>> s_cache = new();

    public ProbeStream? Video => Streams.FirstOrDefault(s => s.CodecType == "video");

    public ProbeStream? Audio => Streams.FirstOrDefault(s => s.CodecType == "audio");

    public IEnumerable<ProbePacket> PacketsOf(string codecType) => Packets.Where(p => p.CodecType == codecType);

    public static Task<ProbeResult> OfVectorAsync(string vector) =>
        s_cache.GetOrAdd(vector, v => new Lazy<Task<ProbeResult>>(() => ProbeAsync(TestVectors.Path(v)))).Value;

    /// <summary>Probes a file made during the test (not cached).</summary>
    public static Task<ProbeResult> OfFileAsync(string path) => ProbeAsync(path);

    /// <summary>The streams of a file, without its packets (whose time base need not be 90 kHz).</summary>
    public static Task<ProbeResult> StreamsOfFileAsync(string path) => ProbeAsync(path, packets: false);

    private static async Task<ProbeResult> ProbeAsync(string path, bool packets = true)
    {
        var json = await ExternalTool.FfprobeJsonAsync(path, packets ? ["-show_streams", "-show_packets", "-show_data"] : ["-show_streams", "-show_data"]);
        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;

        var streams = new List<ProbeStream>();
        var timeBases = new Dictionary<int, (long Num, long Den)>();
        foreach (var s in root.GetProperty("streams").EnumerateArray())
        {
            var index = s.GetProperty("index").GetInt32();
            var tb = s.GetProperty("time_base").GetString()!.Split('/');
            timeBases[index] = (long.Parse(tb[0], CultureInfo.InvariantCulture), long.Parse(tb[1], CultureInfo.InvariantCulture));
            streams.Add(new ProbeStream(
                index,
                s.GetProperty("codec_type").GetString()!,
                Str(s, "profile"),
                Int(s, "width"),
                Int(s, "height"),
                Int(s, "level"),
                Str(s, "sample_rate") is { } rate ? int.Parse(rate, CultureInfo.InvariantCulture) : 0,
                Int(s, "channels"),
                Str(s, "r_frame_rate"),
                Str(s, "nal_length_size") is { } nls ? int.Parse(nls, CultureInfo.InvariantCulture) : 0,
                HexDump(Str(s, "extradata")),
                Str(s, "codec_name")));
        }

        var packetList = new List<ProbePacket>();
        foreach (var p in packets ? root.GetProperty("packets").EnumerateArray() : default)
        {
            var (num, den) = timeBases[p.GetProperty("stream_index").GetInt32()];
            packetList.Add(new ProbePacket(
                p.GetProperty("codec_type").GetString()!,
                Ticks(p, "dts", num, den),
                Ticks(p, "pts", num, den),
                p.GetProperty("flags").GetString()!.Contains('K', StringComparison.Ordinal),
                HexDump(Str(p, "data"))));
        }

        return new ProbeResult(streams, packetList);
    }

    private static string? Str(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static int Int(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.GetInt32() : 0;

    private static long? Ticks(JsonElement e, string name, long num, long den)
    {
        if (!e.TryGetProperty(name, out var v))
        {
            return null;
        }

        var value = v.GetInt64() * MediaTime.TicksPerSecond * num;
        return value % den == 0 ? value / den : throw new InvalidDataException($"{name} {v} in time base {num}/{den} is not a whole number of 90 kHz ticks");
    }

    /// <summary>ffprobe's -show_data format: "00000000: 0142 c01e ...  ascii", 16 bytes a line, hex in columns 10..49.</summary>
    private static byte[] HexDump(string? dump)
    {
        if (string.IsNullOrEmpty(dump))
        {
            return [];
        }

        var bytes = new List<byte>();
        foreach (var line in dump.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var hex = line.Substring(10, Math.Min(40, line.Length - 10)).Replace(" ", "", StringComparison.Ordinal);
            bytes.AddRange(Convert.FromHexString(hex));
        }

        return [.. bytes];
    }
}
