using System.Buffers;
using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>How a test feeds bytes to the demuxer: real inputs arrive in chunks of any size.</summary>
public enum Chunking
{
    Whole,
    OneBytePerSegment,
    RandomChunks,
}

/// <summary>The TS vectors (see test/vectors/README.md) and a demux run over one of them that owns the frames it produced.</summary>
internal sealed class TsDemuxRun : IDisposable
{
    public const string Single = "h264-aac-320x240-2s.ts";
    public const string Ladder = "ladder-h264x3-aac-2s.ts";
    public const string PtsWrap = "h264-aac-160x120-ptswrap.ts";

    public static readonly string[] AllVectors = [Single, Ladder, PtsWrap];

    private TsDemuxRun(TsDemuxer demuxer, List<TsFrame> frames)
    {
        Demuxer = demuxer;
        Frames = frames;
    }

    public TsDemuxer Demuxer { get; }

    public TsDemuxerCounters Counters => Demuxer.Counters;

    public List<TsFrame> Frames { get; }

    public static byte[] Bytes(string vector) => File.ReadAllBytes(TestVectors.Path(vector));

    public List<MediaFrame> Of(int pid) => Frames.Where(f => f.Pid == pid).Select(f => f.Frame).ToList();

    public static TsDemuxRun Of(string vector, Chunking chunking = Chunking.Whole, TsDemuxerOptions? options = null) =>
        Of(Bytes(vector), chunking, options);

    /// <summary>Demuxes <paramref name="bytes"/> fed as <paramref name="chunking"/> says, then flushes.</summary>
    public static TsDemuxRun Of(byte[] bytes, Chunking chunking = Chunking.Whole, TsDemuxerOptions? options = null, int seed = 1)
    {
        var demuxer = new TsDemuxer(options);
        var frames = new List<TsFrame>();
        switch (chunking)
        {
            case Chunking.Whole:
                demuxer.Push(new ReadOnlySequence<byte>(bytes), frames);
                break;
            case Chunking.OneBytePerSegment:
                demuxer.Push(SegmentedSequence.OneBytePerSegment(bytes), frames);
                break;
            default:
                // Several calls with multi-segment sequences of random sizes, including zero-length calls.
                var random = new Random(seed);
                for (var offset = 0; offset < bytes.Length;)
                {
                    var size = Math.Min(random.Next(0, 700), bytes.Length - offset);
                    var segment = Math.Max(1, random.Next(1, 400));
                    demuxer.Push(SegmentedSequence.Split(bytes.AsSpan(offset, size), segment), frames);
                    offset += size;
                }

                break;
        }

        demuxer.Flush(frames);
        return new TsDemuxRun(demuxer, frames);
    }

    public void Dispose()
    {
        foreach (var frame in Frames)
        {
            frame.Frame.Release();
        }

        Demuxer.Dispose();
    }
}
