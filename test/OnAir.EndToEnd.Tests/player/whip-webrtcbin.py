#!/usr/bin/python3
# A WHIP client (RFC 9725) on GStreamer's webrtcbin: H.264 (x264, constrained baseline) and Opus test
# sources, the offer POSTed with a Bearer token, the answer applied; runs for SECONDS, then DELETEs
# the session. Prints one JSON line: the POST status, Location, and the ICE and peer connection states.
#
# Usage: /usr/bin/python3 whip-webrtcbin.py WHIP_URL TOKEN SECONDS [MKV]
#   MKV: send this Matroska file's H.264 and Opus as they are, paced in real time (benchmarks: no encoding
#   in the publisher), instead of encoding test sources.
#
# Debian 12's simple-whip-client (0.0~git20230131-1) aborts at start ("libsoup2 symbols detected"):
# it links libsoup 2.4 while webrtcbin's libnice pulls libsoup 3 through gupnp-igd. This is the same
# webrtcbin driven from Python, which links neither.
import json
import sys
import urllib.error
import urllib.request

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

url, token, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3])
source = sys.argv[4] if len(sys.argv) > 4 else None
report = {"status": 0, "location": None, "error": None, "ice": [], "states": []}

Gst.init(None)
VIDEO_RTP = "application/x-rtp,media=video,encoding-name=H264,payload=102"
AUDIO_RTP = "application/x-rtp,media=audio,encoding-name=OPUS,payload=111"
pipeline = Gst.parse_launch(
    "webrtcbin name=send bundle-policy=max-bundle "
    f"filesrc location={source} ! matroskademux name=d "
    f"d.video_0 ! queue ! h264parse ! clocksync ! rtph264pay pt=102 config-interval=-1 aggregate-mode=zero-latency ! {VIDEO_RTP} ! send. "
    f"d.audio_0 ! queue ! opusparse ! clocksync ! rtpopuspay pt=111 ! {AUDIO_RTP} ! send."
) if source else Gst.parse_launch(
    "webrtcbin name=send bundle-policy=max-bundle "
    "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert ! queue "
    "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=30 ! video/x-h264,profile=constrained-baseline "
    "! rtph264pay pt=102 config-interval=-1 aggregate-mode=zero-latency ! application/x-rtp,media=video,encoding-name=H264,payload=102 ! send. "
    "audiotestsrc is-live=true ! audioconvert ! audioresample ! queue ! opusenc ! rtpopuspay pt=111 "
    "! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! send."
)
webrtc = pipeline.get_by_name("send")
# Loopback only, as every test here: libnice leaves 127.0.0.1 out of its host candidates unless told.
ice_agent = webrtc.get_property("ice-agent")
ice_agent.ref()  # webrtcbin's getter returns its agent without a reference for the caller; PyGObject would drop webrtcbin's own
ice_agent.emit("add-local-ip-address", "127.0.0.1")
loop = GLib.MainLoop()


def fail(message):
    report["error"] = message
    loop.quit()


def on_offer(promise, element, _):
    reply = promise.get_reply()
    offer = reply.get_value("offer") if reply is not None and reply.has_field("offer") else None
    if offer is None:
        GLib.idle_add(fail, "webrtcbin made no offer: " + (reply.to_string() if reply is not None else "no reply"))
        return
    element.emit("set-local-description", offer, None)
    request = urllib.request.Request(url, data=offer.sdp.as_text().encode(), method="POST",
                                     headers={"Content-Type": "application/sdp", "Authorization": "Bearer " + token})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            report["status"] = response.status
            report["location"] = response.headers["Location"]
            answer_text = response.read().decode()
    except urllib.error.HTTPError as error:
        report["status"] = error.code
        GLib.idle_add(fail, error.read().decode())
        return
    except OSError as error:
        GLib.idle_add(fail, f"POST {url}: {error}")
        return
    _, message = GstSdp.SDPMessage.new_from_text(answer_text)
    answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
    element.emit("set-remote-description", answer, None)


def on_negotiation_needed(element):
    if report.get("negotiated"):
        return  # one offer: WHIP has no renegotiation
    report["negotiated"] = True
    element.emit("create-offer", None, Gst.Promise.new_with_change_func(on_offer, element, None))


def on_state(element, _, key):
    report[key].append(element.get_property("ice-connection-state" if key == "ice" else "connection-state").value_nick)


def stop():
    if report["location"]:
        base = url.split("/whip/")[0]
        try:
            with urllib.request.urlopen(urllib.request.Request(base + report["location"], method="DELETE"), timeout=10) as response:
                report["deleteStatus"] = response.status
        except urllib.error.HTTPError as error:
            report["deleteStatus"] = error.code
    loop.quit()


webrtc.connect("on-negotiation-needed", on_negotiation_needed)
webrtc.connect("notify::ice-connection-state", on_state, "ice")
webrtc.connect("notify::connection-state", on_state, "states")
pipeline.set_state(Gst.State.PLAYING)
GLib.timeout_add_seconds(seconds, stop)
loop.run()
pipeline.set_state(Gst.State.NULL)
print(json.dumps(report))
