using System.Buffers;
using BenchmarkDotNet.Attributes;
using OnAir.Media;
using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Benchmarks;

/// <summary>
/// Muxes the 2 s 320x240 H.264 + AAC vector (60 video, 95 audio frames) into MPEG-TS, tables first.
/// The writer keeps its buffer between operations, so any allocation reported is the muxer's own.
/// </summary>
[MemoryDiagnoser]
public class TsMuxerBenchmarks
{
    private readonly List<MediaFrame> _frames = [];
    private readonly ArrayBufferWriter<byte> _output = new(256 * 1024);
    private TsMuxer _muxer = null!;

    [GlobalSetup]
    public void Setup()
    {
        _frames.AddRange(FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _));
        _muxer = new TsMuxer(hasVideo: true, hasAudio: true);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var frame in _frames)
        {
            frame.Release();
        }
    }

    [Benchmark]
    public int MuxTwoSecondSegment()
    {
        _output.ResetWrittenCount();
        _muxer.WriteTables(_output);
        for (var i = 0; i < _frames.Count; i++)
        {
            _muxer.WriteFrame(_frames[i], _output);
        }

        return _output.WrittenCount;
    }
}
