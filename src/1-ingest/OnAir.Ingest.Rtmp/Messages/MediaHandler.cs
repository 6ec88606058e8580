using System.Buffers;
using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Flv;

namespace OnAir.Ingest.Rtmp.Messages;

/// <summary>
/// Audio (8), video (9) and aggregate (22) messages: FLV tag bodies turned into frames and written
/// into the publisher's stream. Media before publish is dropped; an unsupported codec ends the
/// connection with a reason the broadcaster can act on.
/// </summary>
internal static class MediaHandler
{
    private const int AggregateTagHeaderLength = 11;

    public static void HandleMedia(RtmpSessionContext session, byte typeId, ReadOnlySequence<byte> body, uint timestamp)
    {
        if (session.Publisher is not { } publisher)
        {
            return;
        }

        var reader = session.Media;
        var result = typeId == RtmpMessageType.Video
            ? reader.ReadVideo(body, timestamp, out var frame)
            : reader.ReadAudio(body, timestamp, out frame);
        switch (result)
        {
            case FlvTagResult.Frame:
                publisher.Write(frame!);
                break;
            case FlvTagResult.ConfigChanged:
                LogConfig(session, typeId == RtmpMessageType.Video ? reader.Video : reader.Audio);
                break;
            case FlvTagResult.UnsupportedCodec:
                session.RequestClose($"{reader.UnsupportedCodec} is not supported; publish H.264 or H.265 video and AAC audio (e.g. ffmpeg -c:v libx264 -c:a aac)");
                break;
        }
    }

    /// <summary>Aggregate message (RTMP spec section 7.1.6): FLV tags back to back, timestamps relative to the first.</summary>
    public static void HandleAggregate(RtmpSessionContext session, ReadOnlySequence<byte> message, uint messageTimestamp)
    {
        var payload = message.FirstSpan; // a reassembled message is one contiguous buffer
        var offset = 0;
        long? firstTagTimestamp = null;
        while (offset + AggregateTagHeaderLength <= payload.Length && session.CloseReason is null)
        {
            var tagType = payload[offset];
            var size = (payload[offset + 1] << 16) | (payload[offset + 2] << 8) | payload[offset + 3];
            var tagTimestamp = (uint)((payload[offset + 7] << 24) | (payload[offset + 4] << 16) | (payload[offset + 5] << 8) | payload[offset + 6]);
            var bodyStart = offset + AggregateTagHeaderLength;
            if (size > payload.Length - bodyStart)
            {
                throw new RtmpProtocolException("aggregate message sub-tag runs past the message.");
            }

            firstTagTimestamp ??= tagTimestamp;
            if (tagType is RtmpMessageType.Audio or RtmpMessageType.Video)
            {
                var body = message.Slice(bodyStart, size);
                HandleMedia(session, tagType, body, (uint)(messageTimestamp + (tagTimestamp - firstTagTimestamp.Value)));
            }

            offset = bodyStart + size + 4; // skip the back pointer
        }
    }

    private static void LogConfig(RtmpSessionContext session, CodecConfig? config)
    {
        var name = session.Publisher!.Stream.Name;
        switch (config)
        {
            case AvcConfig avc:
                RtmpLog.CodecConfigured(session.Logger, name, avc.CodecString, $"{avc.Width}x{avc.Height}" + (avc.Sps.FrameRate is { } fps ? $" {fps:0.##} fps" : ""));
                break;
            case VideoConfig video:
                RtmpLog.CodecConfigured(session.Logger, name, video.CodecString, $"{video.Width}x{video.Height}");
                break;
            case AacConfig aac:
                RtmpLog.CodecConfigured(session.Logger, name, aac.CodecString, $"{aac.SampleRate} Hz, {aac.ChannelConfiguration} ch");
                break;
        }
    }
}
