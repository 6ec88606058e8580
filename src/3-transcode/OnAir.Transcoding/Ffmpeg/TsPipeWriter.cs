using System.Buffers;
using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// Frames as one MPEG-TS stream onto a pipe: PAT and PMT once at the start (a pipe is read from its
/// beginning), then a PES per frame, muxed into a buffer reused for every frame.
/// </summary>
internal sealed class TsPipeWriter
{
    private readonly Stream _output;
    private readonly TsMuxer _muxer;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);

    public TsPipeWriter(Stream output, VideoConfig video, bool hasAudio)
    {
        _output = output;
        _muxer = new TsMuxer(video, hasAudio);
        _muxer.WriteTables(_buffer);
        Flush();
    }

    /// <exception cref="ArgumentException">The frame's codec is not the one the stream declared.</exception>
    /// <exception cref="InvalidMediaException">The frame is malformed; nothing of it was written.</exception>
    public void Write(MediaFrame frame)
    {
        _muxer.WriteFrame(frame, _buffer);
        Flush();
    }

    private void Flush()
    {
        _output.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }
}
