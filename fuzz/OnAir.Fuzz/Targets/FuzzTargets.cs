using OnAir.Fuzz.Engine;

namespace OnAir.Fuzz.Targets;

/// <summary>A fuzz target as the runner uses it.</summary>
internal sealed record FuzzTarget(string Name, FuzzAction Fuzz, Func<IEnumerable<byte[]>> Seeds);

/// <summary>Every parser that reads bytes a peer controls: add a target here when a parser is added.</summary>
internal static class FuzzTargets
{
    public static readonly IReadOnlyList<FuzzTarget> All =
    [
        Of<RtmpHandshakeTarget>(),
        Of<RtmpChunkStreamTarget>(),
        Of<RtmpSessionTarget>(),
        Of<Amf0Target>(),
        Of<FlvTagsTarget>(),
        Of<CodecConfigTarget>(),
        Of<TsDemuxTarget>(),
        Of<Fmp4FileTarget>(),
        Of<SrtStreamIdTarget>(),
        Of<StunTarget>(),
        Of<SdpOfferTarget>(),
        Of<RtpH264Target>(),
        Of<LowLatencyQueryTarget>(),
    ];

    private static FuzzTarget Of<T>()
        where T : IFuzzTarget => new(T.Name, input => T.Fuzz(input), T.Seeds);
}
