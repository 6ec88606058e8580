using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

public class Timestamp33Tests
{
    private const long Wrap = 1L << 33;

    [Fact]
    public void Runs_on_past_the_wrap_and_steps_back_for_reordered_pictures()
    {
        var clock = new Timestamp33();
        Assert.Equal(Wrap - 3000, clock.Unwrap(Wrap - 3000));
        Assert.Equal(Wrap + 3000, clock.Unwrap(3000));          // wrapped
        Assert.Equal(Wrap - 6000, clock.Unwrap(Wrap - 6000));   // a B-frame's PTS before the wrap: back, not 26.5 h ahead
        Assert.Equal(Wrap + 9000, clock.Unwrap(9000));
        Assert.Equal(Wrap + 1, clock.Unwrap(1 + Wrap));         // only the low 33 bits of the input count
    }

    [Fact]
    public void First_value_is_taken_as_it_is_and_gaps_under_half_the_range_keep_their_sign()
    {
        var clock = new Timestamp33();
        Assert.Equal(90_000, clock.Unwrap(90_000));
        Assert.Equal(90_000 + (Wrap / 2) - 1, clock.Unwrap(90_000 + (Wrap / 2) - 1));
        Assert.Equal(90_000 - 1, clock.Unwrap(90_000 - 1 + Wrap)); // 13 h back is nearer than 13 h ahead
    }

    [Fact]
    public void Pes_timestamp_fields_decode_like_ffmpeg_writes_them()
    {
        // PTS 132030 and DTS 126000 as ffmpeg 5.1 writes them (also checked by the muxer's tests).
        Assert.Equal(132030, Timestamp33.Read([0x31, 0x00, 0x09, 0x07, 0x7D]));
        Assert.Equal(126000, Timestamp33.Read([0x11, 0x00, 0x07, 0xD8, 0x61]));
        Assert.Equal(Wrap - 1, Timestamp33.Read([0x2F, 0xFF, 0xFF, 0xFF, 0xFF]));
    }
}
