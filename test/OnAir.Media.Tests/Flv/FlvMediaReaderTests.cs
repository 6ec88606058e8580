using OnAir.Media.Flv;

namespace OnAir.Media.Tests.Flv;

/// <summary>What a publisher is told (through the result) when its tags cannot become frames.</summary>
public class FlvMediaReaderTests
{
    [Fact]
    public void Video_frame_before_its_sequence_header_is_missing_config()
    {
        var reader = new FlvMediaReader();
        // Audio configured does not configure video.
        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadAudio(Body(VectorTags.AudioSequenceHeader()), 0, out _));

        Assert.Equal(FlvTagResult.MissingConfig, reader.ReadVideo(Body(VectorTags.FirstVideoFrame()), 0, out var frame));
        Assert.Null(frame);

        // The same tag after the sequence header is a frame.
        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadVideo(Body(VectorTags.VideoSequenceHeader()), 0, out _));
        Assert.Equal(FlvTagResult.Frame, reader.ReadVideo(Body(VectorTags.FirstVideoFrame()), 0, out frame));
        frame!.Release();
    }

    [Fact]
    public void Audio_frame_before_its_sequence_header_is_missing_config()
    {
        var reader = new FlvMediaReader();
        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadVideo(Body(VectorTags.VideoSequenceHeader()), 0, out _));

        Assert.Equal(FlvTagResult.MissingConfig, reader.ReadAudio(Body(VectorTags.FirstAudioFrame()), 0, out var frame));
        Assert.Null(frame);

        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadAudio(Body(VectorTags.AudioSequenceHeader()), 0, out _));
        Assert.Equal(FlvTagResult.Frame, reader.ReadAudio(Body(VectorTags.FirstAudioFrame()), 0, out frame));
        frame!.Release();
    }

    [Theory]
    [InlineData(2)] // Sorenson H.263
    [InlineData(4)] // VP6
    [InlineData(12)] // HEVC in the legacy (non-standard) codec id: Enhanced RTMP's FourCC is the way in
    public void Legacy_video_codec_other_than_avc_is_unsupported(int codecId)
    {
        var reader = new FlvMediaReader();
        foreach (var body in new[] { VectorTags.VideoSequenceHeader(), VectorTags.FirstVideoFrame() })
        {
            body[0] = (byte)((body[0] & 0xF0) | codecId);
            Assert.Equal(FlvTagResult.UnsupportedCodec, reader.ReadVideo(Body(body), 0, out var frame));
            Assert.Null(frame);
            Assert.Equal($"video codec id {codecId}", reader.UnsupportedCodec);
        }

        Assert.Null(reader.Video);
    }

    [Theory]
    [InlineData(2)] // MP3
    [InlineData(11)] // Speex
    [InlineData(0)] // linear PCM
    public void Sound_format_other_than_aac_is_unsupported(int soundFormat)
    {
        var reader = new FlvMediaReader();
        foreach (var body in new[] { VectorTags.AudioSequenceHeader(), VectorTags.FirstAudioFrame() })
        {
            body[0] = (byte)((soundFormat << 4) | (body[0] & 0x0F));
            Assert.Equal(FlvTagResult.UnsupportedCodec, reader.ReadAudio(Body(body), 0, out var frame));
            Assert.Null(frame);
            Assert.Equal($"audio sound format {soundFormat}", reader.UnsupportedCodec);
        }

        Assert.Null(reader.Audio);
    }

    [Fact]
    public void A_new_sequence_header_is_a_new_config_for_later_frames()
    {
        var reader = new FlvMediaReader();
        reader.ReadVideo(Body(VectorTags.VideoSequenceHeader()), 0, out _);
        var first = reader.Video;
        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadVideo(Body(VectorTags.VideoSequenceHeader(VectorTags.Baseline854)), 0, out _));
        Assert.NotSame(first, reader.Video);

        reader.ReadVideo(Body(VectorTags.FirstVideoFrame(VectorTags.Baseline854)), 40, out var frame);
        Assert.Same(reader.Video, frame!.Config);
        Assert.Equal((854, 480), (((OnAir.Media.Avc.AvcConfig)frame.Config).Width, ((OnAir.Media.Avc.AvcConfig)frame.Config).Height));
        frame.Release();
    }

    private static System.Buffers.ReadOnlySequence<byte> Body(byte[] body) => VectorRead.Body(body, false);
}
