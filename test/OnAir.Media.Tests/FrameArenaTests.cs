using System.Runtime.InteropServices;
using Microsoft.Extensions.Time.Testing;
using OnAir.Media.Aac;

namespace OnAir.Media.Tests;

/// <summary>
/// A producer's frames are packed into shared chunks: each frame keeps its own bytes, a chunk goes
/// back to the pool only when its last frame is released, and a stream that caches one GOP at a time
/// reuses the same few chunks GOP after GOP, whatever its frame sizes.
/// </summary>
public class FrameArenaTests
{
    private static readonly AacConfig s_config = AacConfig.Parse([0x12, 0x10]);

    private readonly PayloadPool _pool = new(new FakeTimeProvider());

    [Fact]
    public void Frames_packed_together_keep_their_own_bytes()
    {
        using var arena = new FrameArena(_pool);
        var frames = Enumerable.Range(0, 20).Select(i => Frame(arena, 1000 + (i * 97), (byte)i)).ToList();

        Assert.Equal(1, arena.ChunksMade); // 20 frames of about 2 KB share one 64 KiB chunk
        for (var i = 0; i < frames.Count; i++)
        {
            Assert.Equal(1000 + (i * 97), frames[i].Span.Length);
            Assert.True(frames[i].Span.IndexOfAnyExcept((byte)i) < 0, $"frame {i}'s bytes were overwritten");
        }

        frames.ForEach(frame => frame.Release());
    }

    [Fact]
    public void A_chunk_goes_back_to_the_pool_when_its_last_frame_is_released()
    {
        var arena = new FrameArena(_pool);
        var first = Frame(arena, 5000, 1);
        var second = Frame(arena, 5000, 2);
        arena.Dispose(); // the producer is gone; its frames are still read

        first.Release();
        Assert.Equal(0, _pool.FreeArrays);
        Assert.True(second.Span.IndexOfAnyExcept((byte)2) < 0);
        second.Release();
        Assert.Equal(1, _pool.FreeArrays);
    }

    [Fact]
    public void A_frame_too_large_to_pack_gets_an_array_of_its_own()
    {
        using var arena = new FrameArena(_pool);
        var keyFrame = Frame(arena, FrameArena.MaxPackedLength + 1, 7);
        Assert.Equal(0, arena.ChunksMade);
        Assert.True(MemoryMarshal.TryGetArray(keyFrame.Payload, out var segment));
        Assert.Equal(0, segment.Offset);
        Assert.Equal(PayloadPool.SizeFor(FrameArena.MaxPackedLength + 1), segment.Array!.Length);
        keyFrame.Release();
    }

    [Fact]
    public void A_GOP_cached_at_a_time_reuses_the_same_chunks_whatever_the_frame_sizes()
    {
        using var arena = new FrameArena(_pool);
        var random = new Random(42);
        var arrays = new HashSet<byte[]>(ReferenceEqualityComparer.Instance);
        var largestGop = 0;
        List<MediaFrame> gop = [];
        for (var gopIndex = 0; gopIndex < 50; gopIndex++)
        {
            // Each GOP's sizes differ (as a real stream's do): 60 frames of 2-30 KB, about 1 MB.
            gop.ForEach(frame => frame.Release());
            gop = [.. Enumerable.Range(0, 60).Select(_ => Frame(arena, random.Next(2_000, 30_000), 0))];
            largestGop = Math.Max(largestGop, gop.Sum(frame => frame.Span.Length));
            foreach (var frame in gop)
            {
                Assert.True(MemoryMarshal.TryGetArray(frame.Payload, out var segment));
                arrays.Add(segment.Array!);
            }
        }

        // The GOP and the chunk being filled: a chunk is left only for a frame that does not fit, so each is more than half used.
        var bound = (int)Math.Ceiling(largestGop / (FrameArena.ChunkSize * 0.5)) + 2;
        Assert.True(arrays.Count <= bound, $"{arrays.Count} arrays for GOPs of at most {largestGop} bytes (bound {bound})");
        gop.ForEach(frame => frame.Release());
    }

    private static MediaFrame Frame(FrameArena arena, int length, byte fill)
    {
        var frame = MediaFrame.Rent(TrackKind.Audio, 0, 0, isKeyFrame: true, s_config, length, arena);
        frame.WritablePayload.Fill(fill);
        return frame;
    }
}
