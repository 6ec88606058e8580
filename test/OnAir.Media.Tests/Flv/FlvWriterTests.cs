using System.Text.Json;
using OnAir.Media.Flv;
using OnAir.Testing;
using Xunit;

namespace OnAir.Media.Tests.Flv;

public class FlvWriterTests
{
    [Theory]
    [InlineData("h264-aac-320x240-2s.flv")]
    [InlineData("aac-44100-mono.flv")]
    public async Task Frames_written_as_FLV_read_back_identical_and_ffprobe_agrees(string vector)
    {
        var frames = FlvVector.ReadFrames(vector, out _);
        var path = Path.Combine(Path.GetTempPath(), $"onair-flvwriter-{Guid.NewGuid():N}.flv");
        try
        {
            await using (var file = File.Create(path))
            {
                var writer = new FlvWriter(file, frames.Exists(f => f.Kind == TrackKind.Video), frames.Exists(f => f.Kind == TrackKind.Audio));
                frames.ForEach(writer.Write);
            }

            var again = FlvVector.ReadFrames(path, out _);
            Assert.Equal(frames.Count, again.Count);
            for (var i = 0; i < frames.Count; i++)
            {
                Assert.Equal((frames[i].Kind, frames[i].Dts, frames[i].Pts, frames[i].IsKeyFrame), (again[i].Kind, again[i].Dts, again[i].Pts, again[i].IsKeyFrame));
                Assert.True(frames[i].Span.SequenceEqual(again[i].Span));
                Assert.Equal(frames[i].Config.Record.ToArray(), again[i].Config.Record.ToArray());
            }

            using var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(path, "-count_packets", "-show_streams"));
            var packets = probe.RootElement.GetProperty("streams").EnumerateArray().Sum(s => int.Parse(s.GetProperty("nb_read_packets").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(frames.Count, packets);
            again.ForEach(f => f.Release());
        }
        finally
        {
            frames.ForEach(f => f.Release());
            File.Delete(path);
        }
    }
}
