using System.Globalization;
using System.Net;
using System.Text;

namespace OnAir.WebRtc.Sdp;

/// <summary>
/// What an ingest takes from an offer: one H.264 video section (packetization-mode 1, the mode every
/// browser sends) and at most one Opus audio section; every other section is declined (port 0).
/// </summary>
/// <param name="VideoMid">The mid of the accepted video section.</param>
/// <param name="VideoPayloadType">The H.264 payload type chosen.</param>
/// <param name="AudioMid">The mid of the accepted audio section, null when there is none.</param>
public sealed record Negotiation(string VideoMid, int VideoPayloadType, string VideoParameters, string? AudioMid, int AudioPayloadType, int AudioChannels)
{
    /// <summary>Chooses the codecs; the reason when the offer has nothing OnAir can ingest.</summary>
    public static Negotiation? Choose(SdpOffer offer, out string? error)
    {
        error = null;
        var video = offer.Media.FirstOrDefault(m => m.Kind == "video" && m.Direction is "sendonly" or "sendrecv");
        if (video is null)
        {
            error = "the offer sends no video: WHIP ingest needs a sendonly H.264 video track";
            return null;
        }

        int? h264 = null;
        var rank = int.MaxValue;
        foreach (var pt in video.Formats)
        {
            if (!video.Codecs.TryGetValue(pt, out var codec) || !codec.Name.Equals("H264", StringComparison.OrdinalIgnoreCase) || codec.ClockRate != 90000)
            {
                continue;
            }

            var fmtp = video.Parameters.GetValueOrDefault(pt, "");
            if (!fmtp.Contains("packetization-mode=1", StringComparison.Ordinal))
            {
                continue;
            }

            // Constrained Baseline first (every decoder), then Baseline, then anything else in the offer's order.
            var r = fmtp.Contains("profile-level-id=42e0", StringComparison.OrdinalIgnoreCase) ? 0 : fmtp.Contains("profile-level-id=4200", StringComparison.OrdinalIgnoreCase) ? 1 : 2;
            if (r < rank)
            {
                (h264, rank) = (pt, r);
            }
        }

        if (h264 is not { } videoPt)
        {
            var offered = string.Join(", ", video.Formats.Select(pt => video.Codecs.TryGetValue(pt, out var c) ? c.Name : pt.ToString(CultureInfo.InvariantCulture)).Distinct());
            error = $"the offer has no H.264 (packetization-mode=1) video; it offers {offered}. OnAir ingests H.264: enable it in the encoder";
            return null;
        }

        var audio = offer.Media.FirstOrDefault(m => m.Kind == "audio" && m.Direction is "sendonly" or "sendrecv");
        var opus = audio?.Formats.FirstOrDefault(pt => audio.Codecs.TryGetValue(pt, out var c) && c.Name.Equals("opus", StringComparison.OrdinalIgnoreCase) && c.ClockRate == 48000, -1) ?? -1;
        return new Negotiation(
            video.Mid,
            videoPt,
            video.Parameters.GetValueOrDefault(videoPt, "packetization-mode=1"),
            opus >= 0 ? audio!.Mid : null,
            opus,
            opus >= 0 ? audio!.Codecs[opus].Channels : 0);
    }

    /// <summary>
    /// The answer (RFC 8829 5.3): ICE-lite with one host candidate, DTLS server (setup:passive),
    /// receive only, rtcp-mux, the chosen payload types with NACK and PLI feedback; declined sections keep their mid with port 0.
    /// </summary>
    public string Answer(SdpOffer offer, string iceUfrag, string icePwd, byte[] fingerprint, IPEndPoint candidate, long sessionId)
    {
        var accepted = offer.Media.Where(m => m.Mid == VideoMid || m.Mid == AudioMid).Select(m => m.Mid).ToList();
        var sdp = new StringBuilder();
        void Line(string text) => sdp.Append(text).Append("\r\n");
        Line("v=0");
        Line(string.Create(CultureInfo.InvariantCulture, $"o=- {sessionId} 2 IN IP4 127.0.0.1"));
        Line("s=-");
        Line("t=0 0");
        Line("a=group:BUNDLE " + string.Join(' ', accepted));
        Line("a=ice-lite");
        Line("a=msid-semantic: WMS");
        var host = candidate.Address.ToString();
        var family = candidate.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        foreach (var media in offer.Media)
        {
            var isVideo = media.Mid == VideoMid;
            var isAudio = media.Mid == AudioMid && !isVideo;
            if (!isVideo && !isAudio)
            {
                var format = media.Formats.Count > 0 ? media.Formats[0].ToString(CultureInfo.InvariantCulture) : "0";
                Line($"m={media.Kind} 0 {(media.Kind == "application" ? "UDP/DTLS/SCTP webrtc-datachannel" : "UDP/TLS/RTP/SAVPF " + format)}");
                Line($"c=IN {family} 0.0.0.0");
                Line("a=mid:" + media.Mid);
                Line("a=inactive");
                continue;
            }

            var pt = isVideo ? VideoPayloadType : AudioPayloadType;
            Line(string.Create(CultureInfo.InvariantCulture, $"m={media.Kind} 9 UDP/TLS/RTP/SAVPF {pt}"));
            Line($"c=IN {family} {host}");
            Line("a=rtcp:9 IN IP4 0.0.0.0");
            Line("a=ice-ufrag:" + iceUfrag);
            Line("a=ice-pwd:" + icePwd);
            Line("a=fingerprint:sha-256 " + BitConverter.ToString(fingerprint).Replace('-', ':'));
            Line("a=setup:passive");
            Line("a=mid:" + media.Mid);
            Line("a=recvonly");
            Line("a=rtcp-mux");
            Line("a=rtcp-rsize");
            if (isVideo)
            {
                Line(string.Create(CultureInfo.InvariantCulture, $"a=rtpmap:{pt} H264/90000"));
                Line(string.Create(CultureInfo.InvariantCulture, $"a=rtcp-fb:{pt} nack"));
                Line(string.Create(CultureInfo.InvariantCulture, $"a=rtcp-fb:{pt} nack pli"));
                Line(string.Create(CultureInfo.InvariantCulture, $"a=fmtp:{pt} {VideoParameters}"));
            }
            else
            {
                Line(string.Create(CultureInfo.InvariantCulture, $"a=rtpmap:{pt} opus/48000/{AudioChannels}"));
                Line(string.Create(CultureInfo.InvariantCulture, $"a=fmtp:{pt} minptime=10;useinbandfec=1"));
            }

            Line(string.Create(CultureInfo.InvariantCulture, $"a=candidate:1 1 udp 2130706431 {host} {candidate.Port} typ host"));
            Line("a=end-of-candidates");
        }

        return sdp.ToString();
    }
}
