using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Streams.Diagnostics;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// Clients that hold sockets without using them, while a real stream plays: idle and slowloris
/// HTTP connections are closed by the timeouts set for them (a player that polls keeps its own),
/// one address flooding a port is capped (the flood comes from 127.0.0.2, the publisher and viewer
/// from 127.0.0.1: both loopback, two addresses), its refusals and timeouts are logged as a count per
/// interval rather than a line each, and a viewer polling throughout misses no segment.
/// </summary>
public class HostileClientTests
{
    private const string Stream = "steady";
    private const int Flood = 60;
    private static readonly IPAddress s_flooder = IPAddress.Parse("127.0.0.2");

    [Fact]
    public async Task Idle_and_slow_header_connections_are_closed_by_their_timeouts_while_a_polling_player_keeps_its_own()
    {
        // Out of the box both close within 30 s; shorter here to keep the test short.
        var defaults = new OnAir.Server.Limits.HttpLimitsOptions();
        Assert.True(defaults.KeepAliveTimeoutSeconds <= 30 && defaults.RequestHeadersTimeoutSeconds <= 30);
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Http.KeepAliveTimeoutSeconds = 3;
            o.Http.RequestHeadersTimeoutSeconds = 3;
        });
        var (publisher, viewer, watching) = await PublishAndWatchAsync(server);
        await using var publishing = publisher;

        var idle = await ConnectAsync(server.Options.HttpPort, 50, s_flooder);
        var trickling = await ConnectAsync(server.Options.HttpPort, 50, s_flooder);
        var started = Stopwatch.StartNew();
        using var stopTrickling = new CancellationTokenSource();
        var trickles = trickling.Select(s => TrickleHeadersAsync(s, stopTrickling.Token)).ToList();
        var polling = PollOverOneConnectionAsync(server.Options.HttpPort, $"/live/{Stream}/source/playlist.m3u8", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8));

        // Closed within their timeout (3 s) and a little slack, all of them: not left to Kestrel's 130 s.
        var idleClosed = await Task.WhenAll(idle.Select(s => ClosedWithinAsync(s, TimeSpan.FromSeconds(10))));
        var trickleClosed = await Task.WhenAll(trickling.Select(s => ClosedWithinAsync(s, TimeSpan.FromSeconds(10))));
        await stopTrickling.CancelAsync();
        await Task.WhenAll(trickles);
        Assert.All(idleClosed, closed => Assert.True(closed is { } at && at <= TimeSpan.FromSeconds(6), $"an idle connection closed after {closed?.TotalSeconds:0.0} s (http.keepAliveTimeoutSeconds 3)"));
        Assert.All(trickleClosed, closed => Assert.True(closed is { } at && at <= TimeSpan.FromSeconds(6), $"a connection trickling its headers closed after {closed?.TotalSeconds:0.0} s (http.requestHeadersTimeoutSeconds 3)"));

        // A player reloading every second kept one connection for longer than either timeout.
        var answers = await polling;
        Assert.True(answers.Count >= 7 && answers.All(a => a == 200), $"every reload over the one connection answered: {string.Join(", ", answers)}");
        Assert.True(started.Elapsed >= TimeSpan.FromSeconds(8));

        await watching;
        AssertNoSegmentMissed(viewer);
        Assert.False(publisher.HasExited, publisher.StdErr);
        Dispose(idle, trickling);
    }

    [Fact]
    public async Task Floods_from_one_address_are_capped_and_logged_as_a_count_while_the_stream_misses_no_segment()
    {
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Rtmp.MaxConnectionsPerAddress = 10;
            o.Rtmp.HandshakeTimeoutSeconds = 2;
            o.Http.MaxConnectionsPerAddress = 20;
        });
        var (publisher, viewer, watching) = await PublishAndWatchAsync(server);
        await using var publishing = publisher;

        // RTMP: of 60 connections from one address, 10 wait for the handshake timeout, the rest are refused at once.
        var rtmp = await ConnectAsync(server.Options.RtmpPort, Flood, s_flooder);
        var rtmpClosed = await Task.WhenAll(rtmp.Select(s => ClosedWithinAsync(s, TimeSpan.FromSeconds(10))));
        Assert.All(rtmpClosed, closed => Assert.NotNull(closed));
        var refusedAtOnce = rtmpClosed.Count(c => c < TimeSpan.FromSeconds(1));
        Assert.True(refusedAtOnce == Flood - 10, $"{refusedAtOnce} of {Flood} RTMP connections refused at once (cap 10)");
        Assert.True(rtmpClosed.Count(c => c >= TimeSpan.FromSeconds(1.5)) == 10, "those under the cap waited for the handshake timeout");

        // HTTP: the same for idle sockets over the cap of 20.
        var http = await ConnectAsync(server.Options.HttpPort, Flood, s_flooder);
        var httpRefused = (await Task.WhenAll(http.Select(s => ClosedWithinAsync(s, TimeSpan.FromSeconds(1))))).Count(c => c is not null);
        Assert.True(httpRefused == Flood - 20, $"{httpRefused} of {Flood} HTTP connections refused at once (cap 20)");
        Dispose(http);

        // A few lines each, then one count for the rest of the interval.
        var rtmpSummary = await WaitForLogAsync(server, l => l.Contains("[105]", StringComparison.Ordinal) && l.Contains("rtmp.maxConnectionsPerAddress", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains($"{Flood - 10 - RepeatedWarning.DefaultBurst} more RTMP connections", rtmpSummary, StringComparison.Ordinal);
        var httpSummary = await WaitForLogAsync(server, l => l.Contains("[105]", StringComparison.Ordinal) && l.Contains("http.maxConnectionsPerAddress", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Contains($"{Flood - 20 - RepeatedWarning.DefaultBurst} more HTTP connections", httpSummary, StringComparison.Ordinal);
        Assert.Equal(2 * RepeatedWarning.DefaultBurst, server.Logs.Lines.Count(l => l.Contains("[104]", StringComparison.Ordinal)));

        // The ones under the cap timed out in the handshake: as many lines as the burst allows, the rest a count.
        await WaitForLogAsync(server, l => l.Contains($"[1014] {10 - RepeatedWarning.DefaultBurst} more RTMP connections", StringComparison.Ordinal), TimeSpan.FromSeconds(15));
        Assert.Equal(RepeatedWarning.DefaultBurst, server.Logs.Lines.Count(l => l.Contains("[1006]", StringComparison.Ordinal)));
        var metrics = PrometheusText.Parse(await server.Http.GetStringAsync("metrics"));
        var refused = metrics.Where(m => m.Name == "onair_connections_refused_total").ToDictionary(m => m.Labels["listener"], m => m.Value);
        Assert.True(refused.GetValueOrDefault("RTMP") == Flood - 10 && refused.GetValueOrDefault("HTTP") == Flood - 20, string.Join(", ", refused));

        // Once the flood is gone, the address may connect again: the server answers its handshake.
        Dispose(rtmp);
        using (var again = (await ConnectAsync(server.Options.RtmpPort, 1, s_flooder))[0])
        {
            var c0c1 = new byte[1 + 1536];
            c0c1[0] = 3; // RTMP version 3, then C1
            await again.SendAsync(c0c1);
            var s0 = new byte[1];
            Assert.Equal(1, await again.ReceiveAsync(s0));
            Assert.Equal(3, s0[0]);
        }

        await watching;
        AssertNoSegmentMissed(viewer);
        Assert.False(publisher.HasExited, publisher.StdErr);
    }

    /// <summary>A publisher on the stream, and a viewer that polls its playlist from the first segment on until it has seen 8.</summary>
    private static async Task<(Publisher Publisher, LadderRecorder Viewer, Task Watching)> PublishAndWatchAsync(OnAirServer server)
    {
        var publisher = Publisher.Ffmpeg(server.RtmpUrl(Stream), seconds: 60);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri(Stream), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a first segment");
        var viewer = new LadderRecorder(server.Http, r => server.PlaylistUri(Stream, r));
        return (publisher, viewer, viewer.RecordAsync(["source"], TimeSpan.FromSeconds(40), v => v.Segments["source"].Count >= 8));
    }

    /// <summary>Every media sequence number from the first the viewer saw to the last, none a gap the server filled in for a lost publisher.</summary>
    private static void AssertNoSegmentMissed(LadderRecorder viewer)
    {
        var seen = viewer.Segments["source"];
        Assert.True(seen.Count >= 8, $"the viewer saw {seen.Count} segments");
        var sequences = seen.Keys.ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => sequences[0] + i), sequences);
        Assert.DoesNotContain(seen.Values, s => s.Listed.Gap);
    }

    /// <summary><paramref name="count"/> connections to the server's loopback port from <paramref name="from"/>, another loopback address.</summary>
    private static async Task<List<Socket>> ConnectAsync(int port, int count, IPAddress from)
    {
        var sockets = new List<Socket>(count);
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(from, 0));
            try
            {
                await socket.ConnectAsync(IPAddress.Loopback, port);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // Refused so fast that the reset reached the socket before its connect completed: closed at once.
            }

            sockets.Add(socket);
        }

        return sockets;
    }

    /// <summary>How long after now the server closed (or reset) the socket; null if it is still open at the timeout.</summary>
    private static async Task<TimeSpan?> ClosedWithinAsync(Socket socket, TimeSpan timeout)
    {
        var started = Stopwatch.StartNew();
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token) > 0)
            {
                // a 408 before the close: read on to the end
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        catch (SocketException)
        {
            // reset: closed as well
        }

        return started.Elapsed;
    }

    /// <summary>A slowloris: a request line, then one header byte every half second, never the end of the headers.</summary>
    private static async Task TrickleHeadersAsync(Socket socket, CancellationToken stop)
    {
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"GET /live/{Stream}/master.m3u8 HTTP/1.1\r\nHost: onair\r\nX-Slow: "), stop);
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(500, stop);
                await socket.SendAsync("a"u8.ToArray(), stop);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException)
        {
            // stopped, or the server closed it
        }
    }

    /// <summary>Reloads <paramref name="path"/> every <paramref name="every"/> over one keep-alive connection for <paramref name="during"/>; the status of each answer.</summary>
    private static async Task<List<int>> PollOverOneConnectionAsync(int port, string path, TimeSpan every, TimeSpan during)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        var statuses = new List<int>();
        var until = DateTime.UtcNow + during;
        while (DateTime.UtcNow < until)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: onair\r\n\r\n"));
            statuses.Add(await ReadResponseAsync(stream));
            await Task.Delay(every);
        }

        return statuses;
    }

    /// <summary>One HTTP/1.1 response with a Content-Length, read whole; its status. Fails if the server closed the connection.</summary>
    private static async Task<int> ReadResponseAsync(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            Assert.True(await stream.ReadAsync(one) == 1, $"the server closed the polling player's connection (after: {head})");
            head.Append((char)one[0]);
        }

        var lines = head.ToString().Split("\r\n");
        var length = lines.Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Equals("Content-Length", StringComparison.OrdinalIgnoreCase)).Select(p => int.Parse(p[1].Trim(), CultureInfo.InvariantCulture)).Single();
        await stream.ReadExactlyAsync(new byte[length]);
        return int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
    }

    private static async Task<string> WaitForLogAsync(OnAirServer server, Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (server.Logs.Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"no such log line within {timeout.TotalSeconds} s:\n{string.Join('\n', server.Logs.Lines)}");
    }

    private static void Dispose(params List<Socket>[] groups)
    {
        foreach (var socket in groups.SelectMany(g => g))
        {
            socket.Dispose();
        }
    }
}
