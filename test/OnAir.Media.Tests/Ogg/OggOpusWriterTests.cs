using System.Globalization;
using System.Text.Json;
using OnAir.Media.Ogg;
using OnAir.Media.Opus;
using OnAir.Testing;
using Xunit;

namespace OnAir.Media.Tests.Ogg;

/// <summary>
/// Opus packets made by ffmpeg (libopus, 20 ms frames) are written as OnAir writes WebRTC's, with a
/// 500 ms gap in the middle filled with <see cref="OpusPacket.Silence20Ms"/>; ffprobe must read every
/// packet back at the time its granule position says, and decode the whole file without an error.
/// </summary>
public class OggOpusWriterTests
{
    [Fact]
    public async Task Ffprobe_reads_every_packet_at_its_time_gap_included()
    {
        using var dir = new TempDirectory();
        var source = dir.File("source.ogg");
        var make = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "1", "-c:a", "libopus", "-frame_duration", "20", "-f", "ogg", "-y", source], TimeSpan.FromSeconds(30));
        Assert.True(make.ExitCode == 0, make.StdErr);
        var packets = await ReadPacketsAsync(source);
        Assert.True(packets.Count >= 45, $"{packets.Count} packets");
        Assert.All(packets, p => Assert.Equal(960, OpusPacket.Samples(p)));

        // Rewrite them: the first half at 0, 20, 40 ms..., then a 500 ms gap.
        var writer = new OggOpusWriter(7);
        var output = new MemoryStream();
        var buffer = new byte[64 * 1024];
        output.Write(buffer, 0, writer.WriteHeaders(buffer, channels: 1, preSkip: 0));
        var expected = new List<long>();
        long start = 0;
        for (var i = 0; i < packets.Count; i++)
        {
            if (i == packets.Count / 2)
            {
                for (var fill = 0; fill < 25; fill++) // 500 ms
                {
                    output.Write(buffer, 0, writer.WritePacket(buffer, OpusPacket.Silence20Ms, start + 960));
                    start += 960;
                }
            }

            expected.Add(start);
            output.Write(buffer, 0, writer.WritePacket(buffer, packets[i], start + 960));
            start += 960;
        }

        var written = dir.File("written.ogg");
        await File.WriteAllBytesAsync(written, output.ToArray());
        var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(written, "-show_packets", "-select_streams", "a"));
        var times = probe.RootElement.GetProperty("packets").EnumerateArray().Select(p => long.Parse(p.GetProperty("pts").GetRawText(), CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(packets.Count + 25, times.Count);
        Assert.Equal(expected, expected.Select(t => times.Contains(t) ? t : -1));
        Assert.Equal(times.Order(), times);
        var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", written, "-f", "null", "-"], TimeSpan.FromSeconds(30));
        Assert.True(decode.ExitCode == 0 && decode.StdErr.Trim().Length == 0, decode.StdErr);
    }

    private static async Task<List<byte[]>> ReadPacketsAsync(string ogg)
    {
        // The packets out of ffmpeg's pages: lacing values of 255 continue a packet, a smaller one ends it.
        var bytes = await File.ReadAllBytesAsync(ogg);
        var packets = new List<byte[]>();
        var current = new List<byte>();
        for (var offset = 0; offset + 27 <= bytes.Length;)
        {
            var segments = bytes[offset + 26];
            var table = bytes.AsSpan(offset + 27, segments);
            var data = offset + 27 + segments;
            foreach (var lacing in table)
            {
                current.AddRange(bytes.AsSpan(data, lacing));
                data += lacing;
                if (lacing < 255)
                {
                    packets.Add([.. current]);
                    current.Clear();
                }
            }

            offset = data;
        }

        return [.. packets.Skip(2)]; // OpusHead, OpusTags
    }
}
