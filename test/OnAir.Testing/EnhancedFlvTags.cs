namespace OnAir.Testing;

/// <summary>
/// FLV tags as an Enhanced RTMP publisher (OBS 30+, ffmpeg 6.1+) sends H.265 with AAC, built from
/// what ffprobe read from a file: the video as FourCC <c>hvc1</c> tags (a SequenceStart with the
/// <c>hvcC</c> record, then CodedFrames with their composition time, or CodedFramesX when it is 0),
/// the audio as ordinary AAC tags. ffmpeg 5.1 cannot write Enhanced FLV, so tests make it here.
/// </summary>
public static class EnhancedFlvTags
{
    public const byte Audio = 8;
    public const byte Video = 9;

    /// <summary>
    /// Every packet of <paramref name="probe"/> as a tag, in decode order across the tracks, each
    /// track's configuration first; timestamps from the earliest decode time (an MP4 with B-frames starts below 0).
    /// </summary>
    public static List<FlvTag> From(ProbeResult probe)
    {
        var origin = probe.Packets.Min(p => p.Dts!.Value);
        uint Milliseconds(long dts) => (uint)((dts - origin) / 90);
        var tags = new List<(long Dts, FlvTag Tag)>();
        if (probe.Video is { } video)
        {
            tags.Add((long.MinValue, new FlvTag(Video, 0, SequenceStart(video.Extradata))));
            tags.AddRange(probe.PacketsOf("video").Select(p => (p.Dts!.Value, new FlvTag(Video, Milliseconds(p.Dts!.Value), CodedFrame(p)))));
        }

        if (probe.Audio is { } audio)
        {
            tags.Add((long.MinValue, new FlvTag(Audio, 0, [0xAF, 0, .. audio.Extradata])));
            tags.AddRange(probe.PacketsOf("audio").Select(p => (p.Dts!.Value, new FlvTag(Audio, Milliseconds(p.Dts!.Value), [0xAF, 1, .. p.Data]))));
        }

        return [.. tags.OrderBy(t => t.Dts).Select(t => t.Tag)]; // a stable sort: configurations first, video before audio at equal times
    }

    /// <summary>IsExHeader, key frame, packet type 0 (SequenceStart), FourCC, the record.</summary>
    public static byte[] SequenceStart(byte[] hvcC) => [0x90, .. "hvc1"u8, .. hvcC];

    /// <summary>IsExHeader, key or inter frame, then CodedFrames (1) with an SI24 composition time, or CodedFramesX (3) without one.</summary>
    public static byte[] CodedFrame(ProbePacket packet)
    {
        var frameType = packet.IsKey ? 0x10 : 0x20;
        var compositionMs = (int)((packet.Pts!.Value - packet.Dts!.Value) / 90);
        return compositionMs == 0
            ? [(byte)(0x80 | frameType | 3), .. "hvc1"u8, .. packet.Data]
            : [(byte)(0x80 | frameType | 1), .. "hvc1"u8, (byte)(compositionMs >> 16), (byte)(compositionMs >> 8), (byte)compositionMs, .. packet.Data];
    }
}
