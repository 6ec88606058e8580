using OnAir.Testing;
using Xunit;

namespace OnAir.Media.Tests.Mp4;

/// <summary>
/// OnAir's fMP4 (init segment + moof/mdat fragments) read by the references: ffprobe must see
/// every frame of the publisher's FLV with its timestamps, sync flag and bytes unchanged, the
/// codec configuration ffmpeg itself writes for the same input, and GStreamer's qtdemux must
/// accept it. A committed vector pins the exact bytes.
/// </summary>
public class Fmp4WriterTests
{
    public static TheoryData<string> Vectors => ["h264-aac-320x240-2s.flv", "h264-854x480-main.flv", "aac-44100-mono.flv"];

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Every_frame_reads_back_in_ffprobe_with_its_timestamps_flags_and_bytes(string vector)
    {
        var path = await Fmp4Vector.WriteFileAsync(vector);
        try
        {
            var source = await ProbeResult.OfVectorAsync(vector);
            var written = await ProbeResult.OfFileAsync(path);
            ProbeAssert.SamePackets(source, written);

            Assert.Equal(source.Video?.Width, written.Video?.Width);
            Assert.Equal(source.Video?.Height, written.Video?.Height);
            Assert.Equal(source.Audio?.SampleRate, written.Audio?.SampleRate);
            Assert.Equal(source.Audio?.Channels, written.Audio?.Channels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Codec_configuration_is_what_ffmpeg_writes_for_the_same_input(string vector)
    {
        var ours = await Fmp4Vector.WriteFileAsync(vector);
        var ffmpegs = Path.Combine(Path.GetTempPath(), $"onair-ffmpeg-{Guid.NewGuid():N}.mp4");
        try
        {
            var (code, _, error) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", TestVectors.Path(vector), "-c", "copy", "-movflags", "frag_keyframe+empty_moov", ffmpegs], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, error);
            var reference = await ProbeResult.StreamsOfFileAsync(ffmpegs);
            var written = await ProbeResult.StreamsOfFileAsync(ours);
            Assert.Equal(reference.Video?.Extradata, written.Video?.Extradata); // avcC: the AVCDecoderConfigurationRecord
            Assert.Equal(reference.Audio?.Extradata, written.Audio?.Extradata); // esds: the AudioSpecificConfig
            Assert.Equal(reference.Video?.Profile, written.Video?.Profile);
            Assert.Equal(reference.Audio?.Profile, written.Audio?.Profile);
        }
        finally
        {
            File.Delete(ours);
            File.Delete(ffmpegs);
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task GStreamer_discovers_the_tracks_and_decodes_to_the_end(string vector)
    {
        var path = await Fmp4Vector.WriteFileAsync(vector);
        try
        {
            var (code, output, error) = await ExternalTool.RunAsync("gst-discoverer-1.0", ["-v", new Uri(path).AbsoluteUri], TimeSpan.FromSeconds(60));
            Assert.True(code == 0, output + error);
            var source = await ProbeResult.OfVectorAsync(vector);
            Assert.Equal(source.Video is not null, output.Contains("video/x-h264", StringComparison.Ordinal));
            Assert.Equal(source.Audio is not null, output.Contains("audio/mpeg", StringComparison.Ordinal));

            // Decoding every frame with ffmpeg finds no error.
            var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"], TimeSpan.FromSeconds(60));
            Assert.True(decode.ExitCode == 0 && decode.StdErr.Length == 0, decode.StdErr);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task The_written_bytes_match_the_committed_vector_which_ffprobe_reads()
    {
        const string vector = "h264-aac-320x240-2s.fmp4";
        var frames = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _);
        try
        {
            var written = Fmp4Vector.Write(frames);
            if (Environment.GetEnvironmentVariable("ONAIR_REGENERATE_VECTORS") == "1")
            {
                await File.WriteAllBytesAsync(TestVectors.Path(vector), written);
            }

            var committed = await File.ReadAllBytesAsync(TestVectors.Path(vector));
            Assert.True(committed.AsSpan().SequenceEqual(written), $"the writer's output differs from test/vectors/{vector} ({written.Length} vs {committed.Length} bytes); if the change is intended, regenerate it (see test/vectors/README.md)");
            var probe = await ProbeResult.OfVectorAsync(vector);
            Assert.NotNull(probe.Video);
            Assert.NotNull(probe.Audio);
        }
        finally
        {
            frames.ForEach(f => f.Release());
        }
    }
}
