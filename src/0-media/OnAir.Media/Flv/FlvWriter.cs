using System.Buffers.Binary;
using OnAir.Media.Aac;
using OnAir.Media.Avc;

namespace OnAir.Media.Flv;

/// <summary>
/// Writes frames as an FLV stream (FLV spec v10.1 annex E): the format ffmpeg reads on a pipe
/// without probing trouble, and the one RTMP's payloads already are. Sequence headers are written
/// whenever a frame's configuration differs from the last one written.
/// </summary>
public sealed class FlvWriter
{
    private const byte TagAudio = 8;
    private const byte TagVideo = 9;
    private const int TagHeaderLength = 11;

    private readonly Stream _output;
    private CodecConfig? _videoConfig;
    private CodecConfig? _audioConfig;

    public FlvWriter(Stream output, bool hasVideo, bool hasAudio)
    {
        _output = output;
        Span<byte> header = [(byte)'F', (byte)'L', (byte)'V', 1, (byte)((hasAudio ? 4 : 0) | (hasVideo ? 1 : 0)), 0, 0, 0, 9, 0, 0, 0, 0];
        _output.Write(header);
    }

    /// <exception cref="ArgumentException">A frame whose configuration is not AVC or AAC.</exception>
    public void Write(MediaFrame frame)
    {
        var timestampMs = frame.Dts / MediaTime.TicksPerMillisecond;
        if (frame.Kind == TrackKind.Video)
        {
            var avc = frame.Config as AvcConfig ?? throw new ArgumentException("FLV carries H.264 video only.", nameof(frame));
            if (!ReferenceEquals(avc, _videoConfig))
            {
                _videoConfig = avc;
                WriteVideoTag(timestampMs, isKeyFrame: true, packetType: 0, compositionMs: 0, avc.Record.Span);
            }

            WriteVideoTag(timestampMs, frame.IsKeyFrame, packetType: 1, (int)((frame.Pts - frame.Dts) / MediaTime.TicksPerMillisecond), frame.Span);
        }
        else
        {
            var aac = frame.Config as AacConfig ?? throw new ArgumentException("FLV carries AAC audio only.", nameof(frame));
            if (!ReferenceEquals(aac, _audioConfig))
            {
                _audioConfig = aac;
                WriteAudioTag(timestampMs, packetType: 0, aac.Record.Span);
            }

            WriteAudioTag(timestampMs, packetType: 1, frame.Span);
        }
    }

    private void WriteVideoTag(long timestampMs, bool isKeyFrame, byte packetType, int compositionMs, ReadOnlySpan<byte> data)
    {
        Span<byte> prefix = [(byte)((isKeyFrame ? 0x10 : 0x20) | 7), packetType, (byte)(compositionMs >> 16), (byte)(compositionMs >> 8), (byte)compositionMs];
        WriteTag(TagVideo, timestampMs, prefix, data);
    }

    private void WriteAudioTag(long timestampMs, byte packetType, ReadOnlySpan<byte> data)
    {
        Span<byte> prefix = [0xAF, packetType]; // AAC; the rate/size/channel bits are fixed for AAC
        WriteTag(TagAudio, timestampMs, prefix, data);
    }

    private void WriteTag(byte type, long timestampMs, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> data)
    {
        var dataSize = prefix.Length + data.Length;
        Span<byte> header = stackalloc byte[TagHeaderLength];
        header[0] = type;
        header[1] = (byte)(dataSize >> 16);
        header[2] = (byte)(dataSize >> 8);
        header[3] = (byte)dataSize;
        header[4] = (byte)(timestampMs >> 16);
        header[5] = (byte)(timestampMs >> 8);
        header[6] = (byte)timestampMs;
        header[7] = (byte)(timestampMs >> 24); // extended timestamp byte
        header[8] = header[9] = header[10] = 0;
        _output.Write(header);
        _output.Write(prefix);
        _output.Write(data);
        Span<byte> previousTagSize = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(previousTagSize, (uint)(TagHeaderLength + dataSize));
        _output.Write(previousTagSize);
    }
}
