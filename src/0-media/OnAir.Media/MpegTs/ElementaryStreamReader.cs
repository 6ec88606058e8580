namespace OnAir.Media.MpegTs;

/// <summary>Turns the payload of one complete PES packet of a PID into frames; holds that stream's codec configuration.</summary>
internal abstract class ElementaryStreamReader
{
    public abstract TrackKind Kind { get; }

    /// <param name="pid">The PID, for the frames' <see cref="TsFrame"/>.</param>
    /// <param name="payload">The PES payload, header removed.</param>
    /// <param name="pts">The PES presentation time, unwrapped 90 kHz ticks.</param>
    /// <param name="dts">The PES decode time, unwrapped 90 kHz ticks.</param>
    public abstract void Read(int pid, ReadOnlySpan<byte> payload, long pts, long dts, DemuxContext context);

    /// <summary>The reader for a PMT stream_type, or null when OnAir does not carry that type.</summary>
    public static ElementaryStreamReader? For(byte streamType) => streamType switch
    {
        TsStreamInfo.StreamTypeH264 => new NalStreamReader(NalSyntax.Avc),
        TsStreamInfo.StreamTypeH265 => new NalStreamReader(NalSyntax.Hevc),
        TsStreamInfo.StreamTypeAdtsAac => new AdtsStreamReader(),
        _ => null,
    };
}
