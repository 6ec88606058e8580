using System.Net;
using OnAir.Testing;
using OnAir.WebRtc.Sdp;

namespace OnAir.WebRtc.Tests;

public class SdpTests
{
    private static string ChromiumOffer => File.ReadAllText(TestVectors.Path("chromium-156-offer.sdp"));

    [Fact]
    public void Chromiums_offer_gets_constrained_baseline_H264_mode_1_and_Opus()
    {
        var offer = SdpOffer.Parse(ChromiumOffer);
        Assert.Equal(["video", "audio"], offer.Media.Select(m => m.Kind));
        Assert.Equal("sha-256", offer.FingerprintAlgorithm);
        Assert.Equal("actpass", offer.Setup);

        var negotiation = Negotiation.Choose(offer, out var error);
        Assert.Null(error);
        var video = offer.Media[0];
        Assert.Equal("H264", video.Codecs[negotiation!.VideoPayloadType].Name);
        Assert.Contains("packetization-mode=1", video.Parameters[negotiation.VideoPayloadType], StringComparison.Ordinal);
        Assert.Contains("profile-level-id=42e01f", video.Parameters[negotiation.VideoPayloadType], StringComparison.Ordinal);
        Assert.Equal("opus", offer.Media[1].Codecs[negotiation.AudioPayloadType].Name);
        Assert.Equal("1", negotiation.AudioMid);
    }

    [Fact]
    public void The_answer_is_ice_lite_passive_receive_only_with_our_candidate_and_fingerprint()
    {
        var offer = SdpOffer.Parse(ChromiumOffer);
        var negotiation = Negotiation.Choose(offer, out _)!;
        var fingerprint = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var answer = negotiation.Answer(offer, "ufrag123", "password-of-24-characters", fingerprint, new IPEndPoint(IPAddress.Loopback, 8189), 42);
        var lines = answer.Split("\r\n");
        Assert.Contains("a=ice-lite", lines);
        Assert.Contains("a=group:BUNDLE 0 1", lines);
        Assert.Equal(2, lines.Count(l => l == "a=setup:passive"));
        Assert.Equal(2, lines.Count(l => l == "a=recvonly"));
        Assert.Contains($"m=video 9 UDP/TLS/RTP/SAVPF {negotiation.VideoPayloadType}", lines);
        Assert.Contains($"a=rtcp-fb:{negotiation.VideoPayloadType} nack pli", lines);
        Assert.Contains("a=candidate:1 1 udp 2130706431 127.0.0.1 8189 typ host", lines);
        Assert.Contains("a=fingerprint:sha-256 00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F", lines);

        // It reads back as an SDP with the same sections.
        var reread = SdpOffer.Parse(answer);
        Assert.Equal(["0", "1"], reread.Media.Select(m => m.Mid));
        Assert.Equal("ufrag123", reread.IceUfrag);
    }

    [Fact]
    public void Sections_ingest_does_not_take_are_declined_in_a_well_formed_answer()
    {
        var withData = ChromiumOffer.Replace("a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2", StringComparison.Ordinal)
            + "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\na=sctp-port:5000\r\n";
        var offer = SdpOffer.Parse(withData);
        var answer = Negotiation.Choose(offer, out _)!.Answer(offer, "u", "p", new byte[32], new IPEndPoint(IPAddress.Loopback, 8189), 1);
        var lines = answer.Split("\r\n");
        var declined = Array.IndexOf(lines, "m=application 0 UDP/DTLS/SCTP webrtc-datachannel");
        Assert.True(declined > 0, answer);
        Assert.Equal("c=IN IP4 0.0.0.0", lines[declined + 1]); // three fields: browsers refuse an answer with a short c= line
        Assert.Equal("a=mid:2", lines[declined + 2]);
        Assert.Contains("a=group:BUNDLE 0 1", lines);
        Assert.Equal(["0", "1", "2"], SdpOffer.Parse(answer.Replace("a=fingerprint:sha-256", "a=fingerprint:sha-256", StringComparison.Ordinal)).Media.Select(m => m.Mid));
    }

    [Theory]
    [InlineData("a=rtpmap:102 H264/90000", "a=rtpmap:102 VP8/90000", "no H.264")]
    [InlineData("a=sendonly", "a=recvonly", "sends no video")]
    public void Offers_without_what_ingest_needs_are_refused_with_a_reason(string from, string to, string reason)
    {
        var offer = SdpOffer.Parse(ChromiumOffer.Replace(from, to, StringComparison.Ordinal).Replace("a=rtpmap:104 H264", "a=rtpmap:104 X", StringComparison.Ordinal)
            .Replace("a=rtpmap:108 H264", "a=rtpmap:108 X", StringComparison.Ordinal).Replace("a=rtpmap:114 H264", "a=rtpmap:114 X", StringComparison.Ordinal)
            .Replace("a=rtpmap:116 H264", "a=rtpmap:116 X", StringComparison.Ordinal).Replace("a=rtpmap:39 H264", "a=rtpmap:39 X", StringComparison.Ordinal));
        Assert.Null(Negotiation.Choose(offer, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "does not start with v=0")]
    [InlineData("v=0\r\ns=-\r\n", "no media section")]
    [InlineData("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:a\r\na=ice-pwd:b\r\n", "a=fingerprint:sha-256")]
    [InlineData("v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:sha-256 AA\r\n", "ice-ufrag")]
    public void Malformed_offers_are_refused_with_a_reason(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => SdpOffer.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_and_mutated_offers_only_ever_fail_with_FormatException()
    {
        var offer = ChromiumOffer;
        var random = new Random(21);
        const string alphabet = "a=:/ \r\n0123456789mvHOPUS;-";
        for (var i = 0; i < 3000; i++)
        {
            var chars = offer.ToCharArray();
            for (var edits = random.Next(1, 20); edits > 0; edits--)
            {
                chars[random.Next(chars.Length)] = alphabet[random.Next(alphabet.Length)];
            }

            try
            {
                var parsed = SdpOffer.Parse(new string(chars, 0, random.Next(chars.Length)));
                if (Negotiation.Choose(parsed, out _) is { } chosen)
                {
                    chosen.Answer(parsed, "u", "p", new byte[32], new IPEndPoint(IPAddress.Loopback, 1), 1);
                }
            }
            catch (FormatException)
            {
            }
        }
    }
}
