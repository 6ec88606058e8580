using OnAir.Media.Flv;

namespace OnAir.Media.Tests.Flv;

/// <summary>
/// RTMP timestamps are 32-bit milliseconds and wrap after 49.7 days; a 24/7 stream must keep
/// increasing media time across the wrap, or every player stalls at that instant.
/// </summary>
public class TimestampTests
{
    [Fact]
    public void Audio_timestamps_keep_increasing_across_the_32_bit_wrap()
    {
        var reader = Configured();
        var first = Audio(reader, 0xFFFFFF00);
        var second = Audio(reader, 0x00000010);

        Assert.True(second.Dts > first.Dts, $"dts went from {first.Dts} to {second.Dts}");
        Assert.Equal(MediaTime.FromMilliseconds(0x110), second.Dts - first.Dts);
        Assert.Equal(second.Dts, second.Pts);
        first.Release();
        second.Release();
    }

    [Fact]
    public void Video_timestamps_and_composition_offset_survive_the_wrap()
    {
        var reader = Configured();
        var frameBody = VectorTags.FirstVideoFrame();
        frameBody[2] = 0;
        frameBody[3] = 0;
        frameBody[4] = 67; // composition time offset 67 ms

        reader.ReadVideo(VectorRead.Body(frameBody, false), 0xFFFFFFF0, out var first);
        reader.ReadVideo(VectorRead.Body(frameBody, false), 0x00000011, out var second);

        Assert.Equal(MediaTime.FromMilliseconds(0x21), second!.Dts - first!.Dts);
        Assert.Equal(MediaTime.FromMilliseconds(0xFFFFFFF0L + 0x21 + 67), second.Pts);
        first.Release();
        second.Release();
    }

    [Fact]
    public void Negative_composition_offset_puts_pts_before_dts()
    {
        var reader = Configured();
        var frameBody = VectorTags.FirstVideoFrame();
        frameBody[2] = 0xFF;
        frameBody[3] = 0xFF;
        frameBody[4] = 0xF6; // SI24 -10 ms

        reader.ReadVideo(VectorRead.Body(frameBody, true), 1000, out var frame);
        Assert.Equal((MediaTime.FromMilliseconds(1000), MediaTime.FromMilliseconds(990)), (frame!.Dts, frame.Pts));
        frame.Release();
    }

    [Fact]
    public void A_small_step_back_is_not_mistaken_for_a_wrap()
    {
        // Publishers interleaving tracks can step back a few ms; that must not jump 49.7 days ahead.
        var reader = Configured();
        var a = Audio(reader, 1000);
        var b = Audio(reader, 990);
        Assert.Equal(MediaTime.FromMilliseconds(990), b.Dts);
        a.Release();
        b.Release();
    }

    [Fact]
    public void Unwrapper_extends_to_64_bits_over_several_wraps()
    {
        var clock = default(TimestampUnwrapper);
        Assert.Equal(0xFFFFFF00L, clock.Unwrap(0xFFFFFF00));
        Assert.Equal(0x1_0000_0010L, clock.Unwrap(0x00000010));
        Assert.Equal(0x1_8000_0000L, clock.Unwrap(0x80000000));
        Assert.Equal(0x1_FFFF_FFFFL, clock.Unwrap(0xFFFFFFFF));
        Assert.Equal(0x2_0000_0005L, clock.Unwrap(0x00000005));
    }

    [Fact]
    public void First_timestamp_is_taken_as_is()
    {
        var clock = default(TimestampUnwrapper);
        Assert.Equal(123_456L, clock.Unwrap(123_456));
    }

    private static FlvMediaReader Configured()
    {
        var reader = new FlvMediaReader();
        reader.ReadVideo(VectorRead.Body(VectorTags.VideoSequenceHeader(), false), 0, out _);
        reader.ReadAudio(VectorRead.Body(VectorTags.AudioSequenceHeader(), false), 0, out _);
        return reader;
    }

    private static MediaFrame Audio(FlvMediaReader reader, uint timestampMs)
    {
        Assert.Equal(FlvTagResult.Frame, reader.ReadAudio(VectorRead.Body(VectorTags.FirstAudioFrame(), false), timestampMs, out var frame));
        return frame!;
    }
}
