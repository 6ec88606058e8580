using OnAir.Media.Aac;

namespace OnAir.Media.MpegTs;

/// <summary>
/// AAC in ADTS (stream type 0x0F): one frame per ADTS frame, header removed, as the RTMP path
/// produces them. A PES often holds several (ffmpeg packs about 0.1 s of audio into one); only the
/// first has the PES timestamp, the k-th is k × 1024 samples later.
/// </summary>
internal sealed class AdtsStreamReader : ElementaryStreamReader
{
    private const int SamplesPerFrame = 1024;

    private AacConfig? _config;

    public override TrackKind Kind => TrackKind.Audio;

    public override void Read(int pid, ReadOnlySpan<byte> payload, long pts, long dts, DemuxContext context)
    {
        var counters = context.Counters;
        var offset = 0;
        var index = 0;
        while (offset < payload.Length)
        {
            if (!AdtsFrameHeader.TryParse(payload[offset..], out var header, out var isCarried))
            {
                // Lost framing: nothing after this point can be trusted to start a frame.
                counters.MalformedAdtsFrames++;
                return;
            }

            if (isCarried)
            {
                var config = ConfigFor(header);
                var framePts = pts + FrameOffset(index, config.SampleRate);
                var raw = payload.Slice(offset + header.HeaderSize, header.FrameLength - header.HeaderSize);
                context.Emit(pid, MediaFrame.Create(TrackKind.Audio, framePts, framePts, isKeyFrame: true, config, raw, context.Arena));
            }
            else
            {
                counters.MalformedAdtsFrames++;
            }

            offset += header.FrameLength;
            index++;
        }
    }

    /// <summary>Rounded to the nearest tick from the PES timestamp, so 44.1 kHz frames do not accumulate rounding.</summary>
    private static long FrameOffset(int index, int sampleRate) =>
        ((long)index * SamplesPerFrame * MediaTime.TicksPerSecond + sampleRate / 2) / sampleRate;

    /// <summary>A new configuration only when the header's profile, rate or channels differ, so reference equality means "unchanged".</summary>
    private AacConfig ConfigFor(in AdtsFrameHeader header)
    {
        if (_config is { } current
            && current.ObjectType == header.Profile + 1
            && current.SampleRateIndex == header.SampleRateIndex
            && current.ChannelConfiguration == header.ChannelConfiguration)
        {
            return current;
        }

        Span<byte> audioSpecificConfig = stackalloc byte[2];
        header.WriteAudioSpecificConfig(audioSpecificConfig);
        // Cannot throw: TryParse only lets through what AacConfig accepts (rate index 0-12, channels 1-7, object type 1-4).
        _config = AacConfig.Parse(audioSpecificConfig);
        return _config;
    }
}
