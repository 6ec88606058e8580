using OnAir.Media.Aac;

namespace OnAir.Media.Tests;

/// <summary>
/// Frames are shared by every subscriber without copying; the reference count decides when the
/// payload and the frame object go back to their pools. A leak grows memory per frame, an early
/// return hands a viewer another stream's bytes.
/// </summary>
public class MediaFrameTests
{
    /// <summary>More than the frame pool can hold, so renting this many drains it completely.</summary>
    private const int MoreThanThePool = 4097;

    private static readonly AacConfig s_config = AacConfig.Parse(VectorTags.AudioSequenceHeader().AsSpan(2));

    [Fact]
    public void Create_copies_the_payload_and_starts_with_one_reference()
    {
        var payload = VectorTags.FirstAudioFrame()[2..];
        var frame = MediaFrame.Create(TrackKind.Audio, 900, 990, true, s_config, payload);
        payload[0] ^= 0xFF; // the caller's buffer is not shared

        Assert.Equal(1, frame.ReferenceCount);
        Assert.Equal((TrackKind.Audio, 900L, 990L, true), (frame.Kind, frame.Dts, frame.Pts, frame.IsKeyFrame));
        Assert.Same(s_config, frame.Config);
        Assert.Equal(payload.Length, frame.Payload.Length);
        Assert.NotEqual(payload[0], frame.Span[0]);
        Assert.True(payload.AsSpan(1).SequenceEqual(frame.Span[1..]));
        frame.Release();
    }

    [Fact]
    public void Frame_stays_intact_while_any_reference_is_held()
    {
        var payload = VectorTags.FirstAudioFrame()[2..];
        var frame = MediaFrame.Create(TrackKind.Audio, 0, 0, true, s_config, payload);
        Assert.Same(frame, frame.AddRef());
        Assert.Same(frame, frame.AddRef());
        Assert.Equal(3, frame.ReferenceCount);

        frame.Release();
        frame.Release();

        Assert.Equal(1, frame.ReferenceCount);
        Assert.True(payload.AsSpan().SequenceEqual(frame.Span));
        Assert.Same(s_config, frame.Config);
        var rented = RentMany();
        Assert.DoesNotContain(rented, r => ReferenceEquals(r, frame)); // not handed to anyone else
        ReleaseAll(rented);
        frame.Release();
    }

    [Fact]
    public void Last_release_returns_the_frame_to_the_pool()
    {
        var frame = MediaFrame.Create(TrackKind.Audio, 0, 0, true, s_config, VectorTags.FirstAudioFrame().AsSpan(2));
        frame.AddRef();
        frame.Release();
        frame.Release();

        Assert.Equal(0, frame.ReferenceCount);
        Assert.Equal(0, frame.Payload.Length); // the payload buffer went back too

        var rented = RentMany();
        Assert.Contains(rented, r => ReferenceEquals(r, frame));
        Assert.Equal(1, frame.ReferenceCount); // rented again, fresh
        Assert.Equal(3, frame.Payload.Length);
        ReleaseAll(rented);
    }

    [Fact]
    public void Releasing_more_than_referenced_throws()
    {
        var frame = MediaFrame.Create(TrackKind.Audio, 0, 0, true, s_config, [1, 2, 3]);
        frame.AddRef();
        frame.Release();
        frame.Release();

        Assert.Throws<InvalidOperationException>(frame.Release);
    }

    [Fact]
    public void Empty_payload_is_allowed()
    {
        var frame = MediaFrame.Create(TrackKind.Audio, 0, 0, true, s_config, []);
        Assert.Equal(0, frame.Payload.Length);
        frame.Release();
    }

    private static List<MediaFrame> RentMany()
    {
        var frames = new List<MediaFrame>(MoreThanThePool);
        for (var i = 0; i < MoreThanThePool; i++)
        {
            frames.Add(MediaFrame.Rent(TrackKind.Audio, i, i, true, s_config, 3));
        }

        return frames;
    }

    private static void ReleaseAll(List<MediaFrame> frames)
    {
        foreach (var frame in frames)
        {
            frame.Release();
        }
    }
}
