using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>Once the tables and configurations are known, demuxing allocates nothing per packet or frame: frames and payloads come from pools.</summary>
public class TsDemuxerAllocationTests
{
    [Fact]
    public void Steady_state_allocates_nothing_per_frame()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Ladder);
        var frames = new List<TsFrame>(64);
        // Warm the pools (frames, payload chunks) and the JIT with a full run exactly the same way
        // first: the same pushes make the same frames, so the arena needs its chunks at the same moments.
        var warmUp = 188 * (TsBytes.Count(ts) / 3); // past the first keyframe of every rung
        using (var warm = new TsDemuxer())
        {
            Demux(warm, ts.AsSpan(0, warmUp), frames);
            Demux(warm, ts.AsSpan(warmUp), frames);
        }

        using var demuxer = new TsDemuxer();
        Demux(demuxer, ts.AsSpan(0, warmUp), frames);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var produced = Demux(demuxer, ts.AsSpan(warmUp), frames);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(produced > 150, $"only {produced} frames, {allocated} bytes allocated");
        // The frames' payloads alone are over 100 kB here. A chunk of the arena is a small object
        // besides its pooled array, hence a small allowance.
        Assert.True(allocated < 16 * 1024, $"{allocated} bytes allocated for {produced} frames");
    }

    private static int Demux(TsDemuxer demuxer, ReadOnlySpan<byte> ts, List<TsFrame> frames)
    {
        var produced = 0;
        for (var offset = 0; offset < ts.Length; offset += 1316)
        {
            // 7 packets at a time, like an SRT or UDP datagram.
            demuxer.Push(ts.Slice(offset, Math.Min(1316, ts.Length - offset)), frames);
            produced += frames.Count;
            foreach (var frame in frames)
            {
                frame.Frame.Release();
            }

            frames.Clear();
        }

        return produced;
    }
}
