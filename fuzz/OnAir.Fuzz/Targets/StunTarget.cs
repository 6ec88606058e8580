using OnAir.WebRtc.Ice;

namespace OnAir.Fuzz.Targets;

/// <summary>A STUN binding request as it arrives on the WebRTC UDP port (ICE connectivity checks), before its integrity is known.</summary>
internal sealed class StunTarget : IFuzzTarget
{
    public static string Name => "stun";

    public static IEnumerable<byte[]> Seeds() =>
    [
        Convert.FromHexString("000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf"),
    ];

    public static void Fuzz(ReadOnlySpan<byte> input) => Stun.TryReadBindingRequest(input, out _, out _, out _);
}
