using System.Text;
using OnAir.WebRtc.Sdp;

namespace OnAir.Fuzz.Targets;

/// <summary>A WHIP client's SDP offer, parsed and negotiated into an answer.</summary>
internal sealed class SdpOfferTarget : IFuzzTarget
{
    public static string Name => "sdp-offer";

    public static IEnumerable<byte[]> Seeds() => [Vectors.Read("chromium-156-offer.sdp")];

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            var offer = SdpOffer.Parse(Encoding.UTF8.GetString(input));
            Negotiation.Choose(offer, out _);
        }
        catch (FormatException)
        {
            // answered 400 with the reason
        }
    }
}
