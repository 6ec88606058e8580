using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Server;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>With a certificate in onair.json the HTTP port speaks HTTPS and HTTP/2, as Apple's players require for LL-HLS.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // /usr/bin/chromium
public class TlsTests
{
    [Fact]
    public async Task With_a_certificate_playlists_and_blocking_reloads_are_served_over_HTTP2_and_ffmpeg_plays_the_https_master()
    {
        using var dir = new TempDir();
        var (tls, thumbprint) = WriteSelfSignedCertificate(dir.Path);
        await using var server = await OnAirServer.StartAsync(o => o.Tls = tls);
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("secure"), seconds: 20);

        // Trust exactly the certificate the server was given.
        using var handler = new SocketsHttpHandler { SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint } };
        using var https = new HttpClient(handler)
        {
            BaseAddress = new Uri($"https://127.0.0.1:{server.Options.HttpPort}/"),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact, // fails unless ALPN chose h2
            Timeout = TimeSpan.FromSeconds(20),
        };

        MediaPlaylist? playlist = null;
        await Eventually.TrueAsync(
            async () =>
            {
                using var response = await https.GetAsync("live/secure/source/playlist.m3u8");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }

                Assert.Equal(HttpVersion.Version20, response.Version);
                playlist = MediaPlaylist.Parse(await response.Content.ReadAsStringAsync());
                return playlist.Segments.Count >= 1 && playlist.AllParts().Any();
            },
            "a playlist with a segment and parts over HTTP/2",
            TimeSpan.FromSeconds(20));

        var (msn, part, _) = playlist!.AllParts().Last();
        using (var blocking = await https.GetAsync($"live/secure/source/playlist.m3u8?_HLS_msn={msn}&_HLS_part={part + 1}"))
        {
            Assert.Equal(HttpStatusCode.OK, blocking.StatusCode);
            Assert.Equal(HttpVersion.Version20, blocking.Version);
        }

        using (var master = await https.GetAsync("live/secure/master.m3u8"))
        {
            Assert.Equal(HttpStatusCode.OK, master.StatusCode);
        }

        // A real player over HTTPS (ffmpeg does not verify certificates unless asked).
        var play = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", $"https://127.0.0.1:{server.Options.HttpPort}/live/secure/master.m3u8", "-t", "2", "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(play.ExitCode == 0 && play.StdErr.Trim().Length == 0, play.StdErr);
    }

    [Fact]
    public async Task Rtmps_publishes_like_rtmp_with_the_ladder_and_a_plain_rtmp_client_on_its_port_is_closed_with_a_reason()
    {
        using var dir = new TempDir();
        var (tls, _) = WriteSelfSignedCertificate(dir.Path);
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.RtmpsPort = OnAirServer.FreePort();
            o.Rtmps = tls; // the RTMPS port's own certificate: the HTTP port stays plain HTTP
        });
        Assert.Contains(server.Logs.Lines, l => l.Contains($"rtmps://127.0.0.1:{server.Options.RtmpsPort}/live/STREAM_KEY", StringComparison.Ordinal));
        await using var publisher = Publisher.Ffmpeg($"rtmps://127.0.0.1:{server.Options.RtmpsPort}/live/secret", seconds: 60, width: IngestPlayback.Width, height: IngestPlayback.Height);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("secret"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(20), "a first segment over RTMPS");

        // ffmpeg speaking plain RTMP to the RTMPS port: TLS fails, that connection is closed and logged, the stream plays on.
        await using (var plain = Publisher.Ffmpeg($"rtmp://127.0.0.1:{server.Options.RtmpsPort}/live/plain", seconds: 5))
        {
            Assert.NotEqual(0, await plain.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        await Eventually.TrueAsync(() => server.Logs.Lines.Any(l => l.Contains("TLS handshake failed", StringComparison.Ordinal)), "the failed TLS handshake logged", TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(server.Logs.Lines, l => l.Contains("Stream plain", StringComparison.Ordinal));

        await IngestPlayback.AssertPlaysWithTheLadderAsync(server, "secret");
        var status = await StreamApi.WaitForAsync(server, "secret", s => s.Json.GetProperty("publisher").ValueKind == System.Text.Json.JsonValueKind.Object, TimeSpan.FromSeconds(5), "a publisher");
        Assert.Equal("rtmps", status.Json.GetProperty("publisher").GetProperty("protocol").GetString());
        Assert.False(publisher.HasExited, $"the RTMPS publisher stopped: {publisher.StdErr}");
    }

    /// <summary>A self-signed certificate for 127.0.0.1 as the PEM files an operator would configure.</summary>
    private static (TlsOptions Tls, string Thumbprint) WriteSelfSignedCertificate(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=onair-test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var tls = new TlsOptions { CertificateFile = Path.Combine(directory, "cert.pem"), KeyFile = Path.Combine(directory, "key.pem") };
        File.WriteAllText(tls.CertificateFile, certificate.ExportCertificatePem());
        File.WriteAllText(tls.KeyFile, key.ExportPkcs8PrivateKeyPem());
        return (tls, certificate.GetCertHashString());
    }
}
