using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>SRT ingest with the publishers broadcasters use: ffmpeg, srt-live-transmit and GStreamer's srtsink.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public class SrtIngestTests
{
    [Fact]
    public async Task Ffmpeg_publishes_over_SRT_with_the_ladder_and_the_API_shows_the_link()
    {
        await using var server = await OnAirServer.StartAsync();
        Assert.Contains(server.Logs.Lines, l => l.Contains($"srt://127.0.0.1:{server.Options.SrtPort}?streamid=live/STREAM_KEY", StringComparison.Ordinal));
        await using var publisher = Publisher.Ffmpeg(server.SrtUrl("field"), seconds: 60, width: IngestPlayback.Width, height: IngestPlayback.Height, format: "mpegts");

        await IngestPlayback.AssertPlaysWithTheLadderAsync(server, "field");

        var status = await StreamApi.WaitForAsync(server, "field", s => s.Json.GetProperty("publisher").ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(5), "a publisher");
        var publisherJson = status.Json.GetProperty("publisher");
        Assert.Equal("srt", publisherJson.GetProperty("protocol").GetString());
        var link = publisherJson.GetProperty("link");
        Assert.True(link.GetProperty("packetsReceived").GetInt64() > 100, link.ToString());
        Assert.InRange(link.GetProperty("rttMs").GetDouble(), 0, 100); // loopback
        Assert.Equal(120, link.GetProperty("latencyMs").GetInt32());
        Assert.InRange(link.GetProperty("receiveMbps").GetDouble(), 0.05, 50);

        var metrics = PrometheusText.Parse(await server.Http.GetStringAsync("metrics"));
        Assert.Equal(1, PrometheusText.Value(metrics, "onair_srt_connections"));
        Assert.True(PrometheusText.Value(metrics, "onair_srt_received_bytes_total") > 100_000);
        Assert.False(publisher.HasExited, publisher.StdErr);
    }

    [Fact]
    public async Task Srt_live_transmit_relaying_ffmpeg_and_GStreamer_srtsink_publish_playable_HLS()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Ladder = "passthrough");

        // srt-live-transmit (Debian srt-tools) relays an encoder's UDP MPEG-TS to SRT, the plain stream id form.
        var udp = OnAirServer.FreeUdpPort();
        await using var relay = Publisher.Start("srt-live-transmit", ["-q", $"udp://127.0.0.1:{udp}", $"srt://127.0.0.1:{server.Options.SrtPort}?streamid=live/relay"]);
        await using var encoder = Publisher.Ffmpeg($"udp://127.0.0.1:{udp}?pkt_size=1316", seconds: 30, format: "mpegts");

        // GStreamer's srtsink with the stream id as a property: the bare key form.
        var gst = "videotestsrc is-live=true num-buffers=600 ! video/x-raw,width=320,height=240,framerate=30/1 ! x264enc tune=zerolatency key-int-max=30 speed-preset=ultrafast " +
            "! h264parse ! mpegtsmux name=m alignment=7 ! srtsink uri=srt://127.0.0.1:" + server.Options.SrtPort.ToString(CultureInfo.InvariantCulture) + " streamid=gst " +
            "audiotestsrc is-live=true num-buffers=900 samplesperbuffer=1024 ! audio/x-raw,rate=48000 ! avenc_aac ! aacparse ! m.";
        await using var gstreamer = Publisher.Start("gst-launch-1.0", ["-q", .. gst.Split(' ', StringSplitOptions.RemoveEmptyEntries)]);

        foreach (var name in new[] { "relay", "gst" })
        {
            var playlist = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri(name), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(30), $"two segments of {name}");
            using var segment = await SegmentDownload.FetchAsync(server.Http, server.PlaylistUri(name), playlist.Segments[^1]);
            var probe = JsonDocument.Parse(await ExternalTool.FfprobeJsonAsync(segment.Path, "-show_streams"));
            var codecs = probe.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).Order().ToList();
            Assert.Equal(["aac", "h264"], codecs);
            var decode = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", server.PlaylistUri(name).ToString(), "-t", "3", "-f", "null", "-"], TimeSpan.FromSeconds(30));
            Assert.True(decode.ExitCode == 0 && decode.StdErr.Trim().Length == 0, $"{name}: {decode.StdErr}");
        }

        Assert.False(relay.HasExited, relay.StdErr);
    }

    [Fact]
    public async Task Bad_SRT_callers_are_refused_with_a_reason_while_an_SRT_stream_keeps_playing()
    {
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.Srt.Passphrase = "correct-horse-battery";
            o.Srt.IdleTimeoutSeconds = 3;
        });
        await using var publisher = Publisher.Ffmpeg(server.SrtUrl("steady", "&passphrase=correct-horse-battery"), seconds: 60, format: "mpegts");
        var before = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("steady"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(20), "a first segment");

        // A wrong passphrase, none at all, and a player's mode: each refused at the handshake, the encoder told so.
        await ExpectRefusedAsync(server, "Incorrect passphrase", $"srt://127.0.0.1:{server.Options.SrtPort}?streamid=live/intruder&passphrase=not-the-passphrase");
        await ExpectRefusedAsync(server, "Password required", $"srt://127.0.0.1:{server.Options.SrtPort}?streamid=live/intruder");
        await ExpectRefusedAsync(server, "mode m=request is not served", $"srt://127.0.0.1:{server.Options.SrtPort}?streamid=%23!::r=live/viewer,m=request&passphrase=correct-horse-battery");

        // Not MPEG-TS (FLV bytes over SRT): no media comes of it, so the idle timeout closes it.
        await using (var flv = Publisher.Ffmpeg($"srt://127.0.0.1:{server.Options.SrtPort}?streamid=live/notts&passphrase=correct-horse-battery", seconds: 8, format: "flv"))
        {
            await Eventually.TrueAsync(() => server.Logs.Lines.Any(l => l.Contains("closed: no media for 3 s", StringComparison.Ordinal)), "the FLV caller closed for sending no media", TimeSpan.FromSeconds(20));
        }

        // MPEG-TS without H.264 (MPEG-2 video): refused by name of what it carries.
        await using (var mpeg2 = Publisher.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "8", "-c:v", "mpeg2video", "-f", "mpegts", $"srt://127.0.0.1:{server.Options.SrtPort}?streamid=live/mpeg2&passphrase=correct-horse-battery"]))
        {
            await Eventually.TrueAsync(() => server.Logs.Lines.Any(l => l.Contains("carries no H.264 video (stream types 0x02)", StringComparison.Ordinal)), "the MPEG-2 caller refused", TimeSpan.FromSeconds(20));
        }

        // Garbage datagrams at the SRT port.
        using (var garbage = new UdpClient())
        {
            var noise = new byte[1316];
            var random = new Random(11);
            for (var i = 0; i < 200; i++)
            {
                random.NextBytes(noise);
                await garbage.SendAsync(noise, new IPEndPoint(IPAddress.Loopback, server.Options.SrtPort));
            }
        }

        // Meanwhile the good stream kept producing segments, none of them gaps, and still does.
        var after = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("steady"), p => p.MediaSequence + p.Segments.Count >= before.MediaSequence + before.Segments.Count + 3, TimeSpan.FromSeconds(20), "three more segments");
        Assert.DoesNotContain(after.Segments, s => s.Gap || s.Discontinuity);
        Assert.Equal("live", (await StreamApi.GetAsync(server, "steady"))!.State);
        Assert.False(publisher.HasExited, publisher.StdErr);
    }

    [Fact]
    public async Task A_stream_published_over_SRT_continues_when_its_publisher_comes_back_over_RTMP()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Ladder = "passthrough");
        var srt = Publisher.Ffmpeg(server.SrtUrl("hop"), seconds: 60, format: "mpegts");
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("hop"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(20), "two segments over SRT");
        var first = await StreamApi.GetAsync(server, "hop");
        srt.KillHard();
        await srt.DisposeAsync();
        await StreamApi.WaitForAsync(server, "hop", s => s.State == "reconnecting", TimeSpan.FromSeconds(20), "reconnecting after the SRT publisher died");

        await using var rtmp = Publisher.Ffmpeg(server.RtmpUrl("hop"), seconds: 30);
        var resumed = await StreamApi.WaitForAsync(server, "hop", s => s.State == "live" && s.Json.GetProperty("publisher").ValueKind == JsonValueKind.Object, TimeSpan.FromSeconds(20), "live again over RTMP");
        Assert.Equal(first!.SessionId, resumed.SessionId);
        Assert.Equal("rtmp", resumed.Json.GetProperty("publisher").GetProperty("protocol").GetString());
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("hop"), p => p.Segments.Any(s => s.Discontinuity) && !p.Segments[^1].Gap, TimeSpan.FromSeconds(30), "media after a DISCONTINUITY in the same playlist");
    }

    private static async Task ExpectRefusedAsync(OnAirServer server, string logged, string url)
    {
        await using var caller = Publisher.Start("ffmpeg", ["-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=10", "-t", "3", "-c:v", "libx264", "-f", "mpegts", url]);
        Assert.NotEqual(0, await caller.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await Eventually.TrueAsync(() => server.Logs.Lines.Any(l => l.Contains("rejected at the handshake", StringComparison.Ordinal) && l.Contains(logged, StringComparison.Ordinal)), $"'{logged}' logged", TimeSpan.FromSeconds(10));
    }
}
