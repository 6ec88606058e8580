using OnAir.Media.Avc;
using OnAir.Media.Flv;
using OnAir.Media.Hevc;

namespace OnAir.Media.Tests.Flv;

/// <summary>
/// Enhanced RTMP video tags (veovera enhanced-rtmp v1/v2) as OBS 30+ and ffmpeg 6.1+ publish H.265:
/// the FourCC header, SequenceStart, CodedFrames and CodedFramesX, ModEx prefixes; what is not
/// carried (other FourCCs, multitrack) is reported with the name a broadcaster recognises.
/// </summary>
public class FlvEnhancedVideoTests
{
    private const string Vector = "hevc-320x180-main.mp4";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Hevc_tags_become_the_frames_and_configuration_ffprobe_reads_from_the_file(bool oneBytePerSegment)
    {
        var probe = await ProbeResult.OfVectorAsync(Vector);
        using var reader = new FlvMediaReader();
        var frames = new List<MediaFrame>();
        try
        {
            foreach (var tag in EnhancedFlvTags.From(probe))
            {
                var result = reader.ReadVideo(VectorRead.Body(tag.Body, oneBytePerSegment), tag.TimestampMs, out var frame);
                Assert.Equal(frame is null ? FlvTagResult.ConfigChanged : FlvTagResult.Frame, result);
                if (frame is not null)
                {
                    frames.Add(frame);
                }
            }

            var config = Assert.IsType<HevcConfig>(reader.Video);
            Assert.Equal(probe.Video!.Extradata, config.Record.ToArray());
            Assert.Equal((probe.Video.Width, probe.Video.Height), (config.Width, config.Height));

            var packets = probe.PacketsOf("video").ToList();
            Assert.Equal(packets.Count, frames.Count);
            for (var i = 0; i < packets.Count; i++)
            {
                Assert.Same(config, frames[i].Config);
                Assert.Equal(packets[i].Data, frames[i].Span.ToArray());
                Assert.Equal(packets[i].IsKey, frames[i].IsKeyFrame);
                Assert.Equal(MediaTime.FromMilliseconds((packets[i].Pts!.Value - packets[i].Dts!.Value) / 90), frames[i].Pts - frames[i].Dts);
            }
        }
        finally
        {
            frames.ForEach(f => f.Release());
        }
    }

    [Fact]
    public async Task Coded_frames_x_carry_no_composition_time_and_coded_frames_a_signed_one()
    {
        var (reader, packet) = await ConfiguredReaderAsync();
        using (reader)
        {
            byte[] codedFramesX = [0x93, .. "hvc1"u8, .. packet.Data];
            Assert.Equal(FlvTagResult.Frame, reader.ReadVideo(VectorRead.Body(codedFramesX, false), 1000, out var frame));
            Assert.Equal(frame!.Dts, frame.Pts);
            Assert.Equal(MediaTime.FromMilliseconds(1000), frame.Dts);
            Assert.Equal(packet.Data, frame.Span.ToArray());
            frame.Release();

            byte[] negative = [0xA1, .. "hvc1"u8, 0xFF, 0xFF, 0xDF, .. packet.Data]; // inter frame, composition time -33 ms
            Assert.Equal(FlvTagResult.Frame, reader.ReadVideo(VectorRead.Body(negative, false), 1033, out frame));
            Assert.Equal(MediaTime.FromMilliseconds(-33), frame!.Pts - frame.Dts);
            Assert.False(frame.IsKeyFrame);
            frame.Release();
        }
    }

    [Theory]
    [InlineData(3)] // the one-byte size form
    [InlineData(257)] // the two-byte size form (first byte 255: 256 and more)
    public async Task ModEx_prefixes_are_skipped(int dataSize)
    {
        var (reader, packet) = await ConfiguredReaderAsync();
        using (reader)
        {
            byte[] size = dataSize < 256 ? [(byte)(dataSize - 1)] : [0xFF, (byte)((dataSize - 1) >> 8), (byte)(dataSize - 1)];
            // ModEx (7), the prefix (a nanosecond timestamp offset, type 0), then CodedFramesX (3) inside it.
            byte[] body = [0x97, .. size, .. new byte[dataSize], 0x03, .. "hvc1"u8, .. packet.Data];
            Assert.Equal(FlvTagResult.Frame, reader.ReadVideo(VectorRead.Body(body, true), 40, out var frame));
            Assert.Equal(packet.Data, frame!.Span.ToArray());
            Assert.True(frame.IsKeyFrame);
            frame.Release();
        }
    }

    [Fact]
    public void A_modex_prefix_running_past_the_tag_or_one_chain_too_long_is_malformed()
    {
        using var reader = new FlvMediaReader();
        byte[] pastTheEnd = [0x97, 9, 1, 2, 3];
        Assert.Throws<InvalidMediaException>(() => reader.ReadVideo(VectorRead.Body(pastTheEnd, false), 0, out _));

        var chain = new List<byte> { 0x97 };
        for (var i = 0; i < 9; i++)
        {
            chain.AddRange([0, 0xAA, 0x07]); // one byte of data, then ModEx again
        }

        chain.AddRange([.. "hvc1"u8, 0x01]);
        Assert.Throws<InvalidMediaException>(() => reader.ReadVideo(VectorRead.Body([.. chain], false), 0, out _));
    }

    [Theory]
    [InlineData(new byte[] { 0x90, (byte)'h', (byte)'v' })] // ends inside the FourCC
    [InlineData(new byte[] { 0x91, (byte)'h', (byte)'v', (byte)'c', (byte)'1', 0x00 })] // ends inside the composition time
    public void Truncated_enhanced_headers_are_malformed(byte[] body)
    {
        using var reader = new FlvMediaReader();
        Assert.Throws<InvalidMediaException>(() => reader.ReadVideo(VectorRead.Body(body, false), 0, out _));
    }

    [Theory]
    [InlineData("av01")]
    [InlineData("vp09")]
    public void Other_fourccs_are_reported_by_name(string fourCc)
    {
        using var reader = new FlvMediaReader();
        byte[] body = [0x90, .. System.Text.Encoding.ASCII.GetBytes(fourCc), 0x01, 0x02];
        Assert.Equal(FlvTagResult.UnsupportedCodec, reader.ReadVideo(VectorRead.Body(body, false), 0, out var frame));
        Assert.Null(frame);
        Assert.Equal($"video FourCC {fourCc}", reader.UnsupportedCodec);
        Assert.Null(reader.Video);
    }

    [Fact]
    public void Multitrack_video_is_reported_unsupported()
    {
        using var reader = new FlvMediaReader();
        byte[] body = [0x96, 0x00, .. "hvc1"u8, 0x00];
        Assert.Equal(FlvTagResult.UnsupportedCodec, reader.ReadVideo(VectorRead.Body(body, false), 0, out _));
        Assert.StartsWith("multitrack video", reader.UnsupportedCodec, StringComparison.Ordinal);
    }

    [Fact]
    public void Metadata_and_command_tags_are_ignored()
    {
        using var reader = new FlvMediaReader();
        byte[] metadata = [0x94, .. "hvc1"u8, 0x02, 0x00, 0x09, .. "colorInfo"u8];
        Assert.Equal(FlvTagResult.Ignored, reader.ReadVideo(VectorRead.Body(metadata, false), 0, out _));
        byte[] command = [0xD1, 0x00]; // frame type 5 (command), then the command: no FourCC follows
        Assert.Equal(FlvTagResult.Ignored, reader.ReadVideo(VectorRead.Body(command, false), 0, out _));
        Assert.Null(reader.Video);
    }

    [Fact]
    public void Avc_under_its_fourcc_reads_as_the_legacy_tags_do()
    {
        using var reader = new FlvMediaReader();
        var legacy = VectorTags.VideoSequenceHeader();
        byte[] sequenceStart = [0x90, .. "avc1"u8, .. legacy[5..]];
        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadVideo(VectorRead.Body(sequenceStart, false), 0, out _));
        var config = Assert.IsType<AvcConfig>(reader.Video);
        Assert.Equal(legacy[5..], config.Record.ToArray());

        var first = VectorTags.FirstVideoFrame();
        byte[] coded = [0x91, .. "avc1"u8, .. first[2..]]; // the legacy composition time and NAL units
        Assert.Equal(FlvTagResult.Frame, reader.ReadVideo(VectorRead.Body(coded, false), 0, out var frame));
        Assert.Equal(first[5..], frame!.Span.ToArray());
        frame.Release();
    }

    /// <summary>A reader given the vector's configuration, and its first packet (a keyframe).</summary>
    private static async Task<(FlvMediaReader Reader, ProbePacket First)> ConfiguredReaderAsync()
    {
        var probe = await ProbeResult.OfVectorAsync(Vector);
        var reader = new FlvMediaReader();
        Assert.Equal(FlvTagResult.ConfigChanged, reader.ReadVideo(VectorRead.Body(EnhancedFlvTags.SequenceStart(probe.Video!.Extradata), false), 0, out _));
        var first = probe.PacketsOf("video").First();
        Assert.True(first.IsKey);
        return (reader, first);
    }
}
