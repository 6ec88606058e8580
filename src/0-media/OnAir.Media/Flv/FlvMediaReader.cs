using System.Buffers;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Hevc;

namespace OnAir.Media.Flv;

/// <summary>
/// Turns FLV audio/video tag bodies (the payload of RTMP message types 8 and 9, and of FLV file
/// tags) into <see cref="MediaFrame"/>s. Holds the codec configurations of one publishing session.
/// Supports H.264 (codec id 7, or FourCC <c>avc1</c>), H.265 (FourCC <c>hvc1</c>, as OBS 30+ and
/// ffmpeg 6.1+ send it) and AAC (sound format 10); everything else is reported, not guessed.
/// </summary>
/// <remarks>
/// Video: E.4.3.1 VIDEODATA / AVCVIDEOPACKET; audio: E.4.2.1 AUDIODATA / AACAUDIODATA (FLV spec
/// v10.1); Enhanced RTMP (veovera enhanced-rtmp v1 and v2): the extended video tag header, its
/// FourCC, packet types and ModEx prefixes. Multitrack video (v2) is reported unsupported.
/// </remarks>
public sealed class FlvMediaReader : IDisposable
{
    private const int CodecIdAvc = 7;
    private const int SoundFormatAac = 10;
    private const int FrameTypeKey = 1;
    private const int FrameTypeCommand = 5;

    /// <summary>'hvc1' and 'avc1' as big-endian 32-bit values.</summary>
    private const uint FourCcHevc = 0x68766331;
    private const uint FourCcAvc = 0x61766331;

    /// <summary>Bound on chained ModEx prefixes in one tag (each carries one modifier; v2 defines one kind).</summary>
    private const int MaxModExPrefixes = 8;

    private readonly FrameArena _arena = new();
    private TimestampUnwrapper _videoClock;
    private TimestampUnwrapper _audioClock;

    public VideoConfig? Video { get; private set; }

    public AacConfig? Audio { get; private set; }

    /// <summary>What was last reported unsupported, for the log line (e.g. <c>video codec id 4</c>, <c>video FourCC av01</c>).</summary>
    public string? UnsupportedCodec { get; private set; }

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
            return ReadEnhancedVideo(body, timestampMs, out frame);
        }

        var frameType = first >> 4;
        var codecId = first & 0x0F;
        if (codecId != CodecIdAvc)
        {
            UnsupportedCodec = $"video codec id {codecId}";
            return FlvTagResult.UnsupportedCodec;
        }

        if (frameType == FrameTypeCommand)
        {
            return FlvTagResult.Ignored;
        }

        if (body.Length < 5)
        {
            throw new InvalidMediaException($"AVC video tag of {body.Length} bytes is shorter than its 5-byte header.");
        }

        Span<byte> header = stackalloc byte[5];
        body.Slice(0, 5).CopyTo(header);
        var data = body.Slice(5);
        switch (header[1])
        {
            case 0:
                Video = ParseConfig(data, AvcConfig.Parse);
                return FlvTagResult.ConfigChanged;
            case 1:
                return TakeVideoFrame(timestampMs, ReadSi24(header[2..]), frameType == FrameTypeKey, data, out frame);
            default:
                return FlvTagResult.Ignored; // 2 = end of sequence
        }
    }

    /// <summary>
    /// An Enhanced RTMP video tag: IsExHeader, a 3-bit frame type and a 4-bit packet type, any ModEx
    /// prefixes, then the FourCC and the packet: a configuration record (SequenceStart), frames with a
    /// composition time (CodedFrames) or without one (CodedFramesX, composition time 0).
    /// </summary>
    private FlvTagResult ReadEnhancedVideo(ReadOnlySequence<byte> body, uint timestampMs, out MediaFrame? frame)
    {
        frame = null;
        var reader = new SequenceReader<byte>(body);
        reader.TryRead(out var first);
        var frameType = (first >> 4) & 0x07;
        var packetType = (ExVideoPacketType)(first & 0x0F);
        for (var prefixes = 0; packetType == ExVideoPacketType.ModEx; prefixes++)
        {
            if (prefixes == MaxModExPrefixes)
            {
                throw new InvalidMediaException($"Enhanced RTMP video tag chains more than {MaxModExPrefixes} ModEx prefixes.");
            }

            packetType = SkipModEx(ref reader);
        }

        if (packetType == ExVideoPacketType.Multitrack)
        {
            UnsupportedCodec = "multitrack video (Enhanced RTMP v2)";
            return FlvTagResult.UnsupportedCodec;
        }

        if (frameType == FrameTypeCommand && packetType != ExVideoPacketType.Metadata)
        {
            return FlvTagResult.Ignored; // a video command (e.g. seek start/end): no frame
        }

        if (!reader.TryReadBigEndian(out int fourCcValue))
        {
            throw new InvalidMediaException($"Enhanced RTMP video tag of {body.Length} bytes ends before its FourCC.");
        }

        var fourCc = (uint)fourCcValue;
        var isHevc = fourCc == FourCcHevc;
        if (!isHevc && fourCc != FourCcAvc)
        {
            UnsupportedCodec = $"video FourCC {FourCcText(fourCc)}";
            return FlvTagResult.UnsupportedCodec;
        }

        switch (packetType)
        {
            case ExVideoPacketType.SequenceStart:
                Video = isHevc ? ParseConfig(reader.UnreadSequence, HevcConfig.Parse) : ParseConfig(reader.UnreadSequence, AvcConfig.Parse);
                return FlvTagResult.ConfigChanged;
            case ExVideoPacketType.CodedFrames:
                Span<byte> composition = stackalloc byte[3];
                if (!reader.TryCopyTo(composition))
                {
                    throw new InvalidMediaException($"Enhanced RTMP {FourCcText(fourCc)} frame of {body.Length} bytes ends inside its composition time.");
                }

                reader.Advance(3);
                return TakeVideoFrame(timestampMs, ReadSi24(composition), frameType == FrameTypeKey, reader.UnreadSequence, out frame);
            case ExVideoPacketType.CodedFramesX:
                return TakeVideoFrame(timestampMs, 0, frameType == FrameTypeKey, reader.UnreadSequence, out frame);
            default:
                return FlvTagResult.Ignored; // SequenceEnd, Metadata (HDR colour info), MPEG2TSSequenceStart (AV1 only)
        }
    }

    private enum ExVideoPacketType
    {
        SequenceStart = 0,
        CodedFrames = 1,
        SequenceEnd = 2,
        CodedFramesX = 3,
        Metadata = 4,
        Mpeg2TsSequenceStart = 5,
        Multitrack = 6,
        ModEx = 7,
    }

    /// <summary>
    /// One ModEx prefix (v2): a data size (UI8 + 1, or UI16 + 1 when the first says 256), the data,
    /// then a byte of modifier type and the next packet type. The one modifier defined, a nanosecond
    /// offset to the timestamp, is below what the millisecond timeline keeps, so the data is skipped.
    /// </summary>
    private static ExVideoPacketType SkipModEx(ref SequenceReader<byte> reader)
    {
        if (!reader.TryRead(out var small))
        {
            throw new InvalidMediaException("Enhanced RTMP ModEx prefix ends before its size.");
        }

        var size = small + 1;
        if (size == 256)
        {
            if (!reader.TryReadBigEndian(out short large))
            {
                throw new InvalidMediaException("Enhanced RTMP ModEx prefix ends before its 16-bit size.");
            }

            size = (ushort)large + 1;
        }

        if (reader.Remaining <= size)
        {
            throw new InvalidMediaException($"Enhanced RTMP ModEx prefix of {size} bytes runs past the tag.");
        }

        reader.Advance(size);
        reader.TryRead(out var types);
        return (ExVideoPacketType)(types & 0x0F);
    }

    private static string FourCcText(uint fourCc)
    {
        Span<char> text = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((fourCc >> (24 - (8 * i))) & 0xFF);
            text[i] = char.IsAsciiLetterOrDigit(c) ? c : '?';
        }

        return new string(text);
    }

    /// <summary>A signed 24-bit big-endian composition time, in milliseconds.</summary>
    private static int ReadSi24(ReadOnlySpan<byte> bytes)
    {
        var value = (bytes[0] << 16) | (bytes[1] << 8) | bytes[2];
        return (value & 0x800000) != 0 ? value - 0x1000000 : value;
    }

    private FlvTagResult TakeVideoFrame(uint timestampMs, int compositionMs, bool isKeyFrame, ReadOnlySequence<byte> data, out MediaFrame? frame)
    {
        var dts = MediaTime.FromMilliseconds(_videoClock.Unwrap(timestampMs));
        return TakeFrame(TrackKind.Video, dts, dts + MediaTime.FromMilliseconds(compositionMs), isKeyFrame, Video, data, out frame);
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
            UnsupportedCodec = $"audio sound format {soundFormat}";
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
