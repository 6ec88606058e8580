using System.Buffers;
using OnAir.Media.Aac;
using OnAir.Media.Avc;

namespace OnAir.Media.Flv;

/// <summary>
/// Turns FLV audio/video tag bodies (the payload of RTMP message types 8 and 9, and of FLV file
/// tags) into <see cref="MediaFrame"/>s. Holds the codec configurations of one publishing session.
/// Supports H.264 (codec id 7) and AAC (sound format 10); everything else is reported, not guessed.
/// </summary>
/// <remarks>Video: E.4.3.1 VIDEODATA / AVCVIDEOPACKET; audio: E.4.2.1 AUDIODATA / AACAUDIODATA (FLV spec v10.1).</remarks>
public sealed class FlvMediaReader : IDisposable
{
    private const int CodecIdAvc = 7;
    private const int SoundFormatAac = 10;
    private const int FrameTypeKey = 1;
    private const int FrameTypeInfo = 5;

    private readonly FrameArena _arena = new();
    private TimestampUnwrapper _videoClock;
    private TimestampUnwrapper _audioClock;

    public AvcConfig? Video { get; private set; }

    public AacConfig? Audio { get; private set; }

    /// <summary>The codec id or sound format last reported unsupported, for the log line.</summary>
    public int UnsupportedCodecId { get; private set; }

    /// <summary>Lets go of the frames' arena (the frames already made stay valid).</summary>
    public void Dispose() => _arena.Dispose();

    /// <exception cref="InvalidMediaException">The tag body is malformed (truncated header, bad sequence header).</exception>
    public FlvTagResult ReadVideo(ReadOnlySequence<byte> body, uint timestampMs, out MediaFrame? frame)
    {
        frame = null;
        if (body.Length == 0)
        {
            return FlvTagResult.Ignored;
        }

        var first = body.FirstSpan[0];
        if ((first & 0x80) != 0)
        {
            // Enhanced RTMP (HEVC, AV1, VP9 in a FourCC header).
            UnsupportedCodecId = first & 0x0F;
            return FlvTagResult.UnsupportedCodec;
        }

        var frameType = first >> 4;
        var codecId = first & 0x0F;
        if (codecId != CodecIdAvc)
        {
            UnsupportedCodecId = codecId;
            return FlvTagResult.UnsupportedCodec;
        }

        if (frameType == FrameTypeInfo)
        {
            return FlvTagResult.Ignored;
        }

        if (body.Length < 5)
        {
            throw new InvalidMediaException($"AVC video tag of {body.Length} bytes is shorter than its 5-byte header.");
        }

        Span<byte> header = stackalloc byte[5];
        body.Slice(0, 5).CopyTo(header);
        var packetType = header[1];
        var compositionMs = (header[2] << 16) | (header[3] << 8) | header[4];
        if ((compositionMs & 0x800000) != 0)
        {
            compositionMs -= 0x1000000; // SI24
        }

        var data = body.Slice(5);
        switch (packetType)
        {
            case 0:
                Video = ParseConfig(data, AvcConfig.Parse);
                return FlvTagResult.ConfigChanged;
            case 1:
                var dts = MediaTime.FromMilliseconds(_videoClock.Unwrap(timestampMs));
                return TakeFrame(TrackKind.Video, dts, dts + MediaTime.FromMilliseconds(compositionMs), frameType == FrameTypeKey, Video, data, out frame);
            default:
                return FlvTagResult.Ignored; // 2 = end of sequence
        }
    }

    /// <exception cref="InvalidMediaException">The tag body is malformed.</exception>
    public FlvTagResult ReadAudio(ReadOnlySequence<byte> body, uint timestampMs, out MediaFrame? frame)
    {
        frame = null;
        if (body.Length == 0)
        {
            return FlvTagResult.Ignored;
        }

        var soundFormat = body.FirstSpan[0] >> 4;
        if (soundFormat != SoundFormatAac)
        {
            UnsupportedCodecId = soundFormat;
            return FlvTagResult.UnsupportedCodec;
        }

        if (body.Length < 2)
        {
            throw new InvalidMediaException("AAC audio tag is shorter than its 2-byte header.");
        }

        var packetType = body.Slice(1, 1).FirstSpan[0];
        var data = body.Slice(2);
        switch (packetType)
        {
            case 0:
                Audio = ParseConfig(data, AacConfig.Parse);
                return FlvTagResult.ConfigChanged;
            case 1:
                var ts = MediaTime.FromMilliseconds(_audioClock.Unwrap(timestampMs));
                return TakeFrame(TrackKind.Audio, ts, ts, isKeyFrame: true, Audio, data, out frame);
            default:
                return FlvTagResult.Ignored;
        }
    }

    private delegate T ConfigParser<out T>(ReadOnlySpan<byte> record);

    private FlvTagResult TakeFrame(TrackKind kind, long dts, long pts, bool isKeyFrame, CodecConfig? config, ReadOnlySequence<byte> data, out MediaFrame? frame)
    {
        frame = null;
        if (config is null)
        {
            return FlvTagResult.MissingConfig;
        }

        if (data.Length == 0)
        {
            return FlvTagResult.Ignored;
        }

        frame = MediaFrame.Rent(kind, dts, pts, isKeyFrame, config, (int)data.Length, _arena);
        data.CopyTo(frame.WritablePayload);
        return FlvTagResult.Frame;
    }

    private static T ParseConfig<T>(ReadOnlySequence<byte> data, ConfigParser<T> parse)
    {
        if (data.IsSingleSegment)
        {
            return parse(data.FirstSpan);
        }

        var rented = ArrayPool<byte>.Shared.Rent((int)data.Length);
        try
        {
            data.CopyTo(rented);
            return parse(rented.AsSpan(0, (int)data.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }
}
