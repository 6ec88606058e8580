using System.Buffers;
using OnAir.Media.Hevc;
using OnAir.Media.MpegTs;
using OnAir.Media.Tests.Hevc;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>
/// H.265 in MPEG-TS (stream type 0x24, ITU-T H.222.0 amendment 3), both ways: x265's frames muxed by
/// OnAir read back in ffprobe as the same stream and decode in ffmpeg to the same pictures as the
/// file they came from; ffmpeg's H.265 TS, as an SRT publisher sends it, demuxes to the file's
/// frames, their configuration built from the in-band VPS, SPS and PPS.
/// </summary>
public class TsHevcTests
{
    /// <summary>Added to the file's timestamps: an MP4 with B-frames decodes from below 0, a TS timeline does not.</summary>
    private static readonly long s_offset = 10 * MediaTime.TicksPerSecond;

    [Theory]
    [MemberData(nameof(HevcConfigTests.Vectors), MemberType = typeof(HevcConfigTests))]
    public async Task Hevc_frames_mux_into_a_stream_ffmpeg_decodes_to_the_same_pictures(string vector)
    {
        var source = await ProbeResult.OfVectorAsync(vector);
        var packets = source.PacketsOf("video").ToList();
        var output = Mux(ProbedFrames.From(source, s_offset));

        var pmt = TsReader.Section(TsReader.Packets(output.WrittenSpan.ToArray())[1]);
        Assert.Equal(TsStreamInfo.StreamTypeH265, pmt[12]);

        using var directory = new TempDirectory();
        var path = directory.File("hevc.ts");
        await File.WriteAllBytesAsync(path, output.WrittenSpan.ToArray());
        var written = await ProbeResult.OfFileAsync(path);
        var video = Assert.Single(written.Streams);
        Assert.Equal((source.Video!.Width, source.Video.Height, source.Video.Profile, source.Video.Level), (video.Width, video.Height, video.Profile, video.Level));
        var readBack = written.PacketsOf("video").ToList();
        Assert.Equal(packets.Select(p => (p.Dts + s_offset, p.Pts + s_offset, p.IsKey)), readBack.Select(p => (p.Dts, p.Pts, p.IsKey)));

        Assert.Equal(await PictureHashesAsync(TestVectors.Path(vector)), await PictureHashesAsync(path));
    }

    [Fact]
    public async Task A_frame_of_another_codec_than_the_pmt_declares_is_refused()
    {
        var source = await ProbeResult.OfVectorAsync("hevc-320x180-main.mp4");
        var hevc = MediaFrame.Create(TrackKind.Video, 0, 0, true, HevcConfig.Parse(source.Video!.Extradata), source.Packets[0].Data);
        try
        {
            var output = new ArrayBufferWriter<byte>();
            Assert.Throws<ArgumentException>(() => new TsMuxer(hasVideo: true, hasAudio: false).WriteFrame(hevc, output));
            Assert.Equal(0, output.WrittenCount);
        }
        finally
        {
            hevc.Release();
        }
    }

    /// <summary>PAT, PMT and the frames (all of one H.265 configuration), released after unless the caller still needs them.</summary>
    private static ArrayBufferWriter<byte> Mux(List<MediaFrame> frames, bool release = true)
    {
        var muxer = new TsMuxer((VideoConfig)frames[0].Config, hasAudio: false);
        var output = new ArrayBufferWriter<byte>();
        muxer.WriteTables(output);
        frames.ForEach(f => muxer.WriteFrame(f, output));
        if (release)
        {
            frames.ForEach(f => f.Release());
        }

        return output;
    }

    /// <summary>The MD5 of every decoded picture, in order (ffmpeg's framemd5 without its timestamps, whose time bases differ by container).</summary>
    private static async Task<List<string>> PictureHashesAsync(string path)
    {
        var (code, stdout, stderr) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-map", "0:v", "-fps_mode", "passthrough", "-f", "framemd5", "-"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0 && stderr.Length == 0, $"ffmpeg could not decode {path}: {stderr}");
        var hashes = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')).Select(l => l.Split(',')[^1].Trim()).ToList();
        Assert.NotEmpty(hashes);
        return hashes;
    }

    [Theory]
    [MemberData(nameof(HevcConfigTests.Vectors), MemberType = typeof(HevcConfigTests))]
    public async Task Ffmpegs_hevc_ts_demuxes_to_the_files_frames(string vector)
    {
        using var directory = new TempDirectory();
        var path = directory.File("ffmpeg.ts");
        var (code, _, stderr) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", TestVectors.Path(vector), "-c", "copy", "-f", "mpegts", path], TimeSpan.FromSeconds(30));
        Assert.True(code == 0, stderr);
        var source = await ProbeResult.OfVectorAsync(vector);

        foreach (var chunking in Enum.GetValues<Chunking>())
        {
            using var run = TsDemuxRun.Of(await File.ReadAllBytesAsync(path), chunking);
            var stream = Assert.Single(run.Demuxer.Streams);
            Assert.Equal(TsStreamInfo.StreamTypeH265, stream.StreamType);
            var frames = run.Of(stream.Pid);
            var packets = source.PacketsOf("video").ToList();
            Assert.Equal(packets.Select(p => p.IsKey), frames.Select(f => f.IsKeyFrame));
            Assert.Equal(packets.Select(p => p.Pts - p.Dts), frames.Select(f => (long?)(f.Pts - f.Dts)));
            var config = Assert.IsType<HevcConfig>(frames[0].Config);
            Assert.Equal((source.Video!.Width, source.Video.Height), (config.Width, config.Height));
            Assert.Equal(HevcConfig.Parse(source.Video.Extradata).CodecString, config.CodecString);
            for (var i = 0; i < frames.Count; i++)
            {
                // ffmpeg puts the parameter sets (and the record's SEI) in front of each keyframe; the demuxer takes the parameter sets out again.
                Assert.True(frames[i].Span.EndsWith(packets[i].Data), $"frame {i} ({chunking}) is not the file's sample");
            }
        }
    }

    [Theory]
    [MemberData(nameof(HevcConfigTests.Vectors), MemberType = typeof(HevcConfigTests))]
    public async Task What_the_muxer_writes_the_demuxer_reads_back_byte_for_byte(string vector)
    {
        var source = ProbedFrames.From(await ProbeResult.OfVectorAsync(vector), s_offset);
        var config = (HevcConfig)source[0].Config;
        using var run = TsDemuxRun.Of(Mux(source, release: false).WrittenSpan.ToArray());
        var frames = run.Of(Assert.Single(run.Demuxer.Streams).Pid);
        try
        {
            Assert.Equal(source.Select(f => (f.Dts, f.Pts, f.IsKeyFrame)), frames.Select(f => (f.Dts, f.Pts, f.IsKeyFrame)));
            for (var i = 0; i < frames.Count; i++)
            {
                Assert.True(frames[i].Span.SequenceEqual(source[i].Span), $"frame {i} differs");
            }

            var readBack = Assert.IsType<HevcConfig>(frames[0].Config);
            Assert.Equal(config.ParameterSets, readBack.ParameterSets);
            Assert.Equal(config.CodecString, readBack.CodecString);
        }
        finally
        {
            source.ForEach(f => f.Release());
        }
    }
}
