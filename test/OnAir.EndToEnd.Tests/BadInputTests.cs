using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Ingest.Rtmp.Messages;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>
/// Hostile or broken peers while a real stream plays: each bad connection is closed with a logged
/// reason, the live stream keeps producing segments, the server stays healthy.
/// </summary>
public class BadInputTests
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Bad_peers_are_closed_with_a_reason_while_another_stream_keeps_playing()
    {
        await using var server = await OnAirServer.StartAsync(o =>
        {
            o.Rtmp.IdleTimeoutSeconds = 2;
            o.Rtmp.HandshakeTimeoutSeconds = 2;
        });
        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("good"), seconds: 40);
        var start = await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("good"), p => p.Segments.Count >= 1, TimeSpan.FromSeconds(15), "a first segment");
        // Each close below is logged with its reason: fewer than the warnings logged one by one per interval (RepeatedWarning.DefaultBurst).

        // Random bytes instead of a handshake.
        await ExpectClosedAsync(server, "not RTMP 3", async client =>
        {
            var noise = new byte[4096];
            new Random(7).NextBytes(noise);
            noise[0] = 0x47;
            await client.SendAsync(noise);
        });

        // A truncated handshake, then silence: the handshake timeout closes it.
        await ExpectClosedAsync(server, "stalled", client => client.SendAsync([3, .. new byte[700]]));

        // Chunk sizes that are zero-or-negative, or absurdly large.
        await ExpectClosedAsync(server, "out of range", client => AfterHandshake(client, c => c.SendMessageAsync(2, RtmpMessageType.SetChunkSize, 0, BigEndian(0x80000000))));
        await ExpectClosedAsync(server, "rtmp.maxChunkSize", client => AfterHandshake(client, c => c.SendMessageAsync(2, RtmpMessageType.SetChunkSize, 0, BigEndian(0x7FFFFFFF))));

        // An AMF0 command nested far deeper than any real one.
        await ExpectClosedAsync(server, "nested deeper", client => AfterHandshake(client, c =>
        {
            var payload = new List<byte> { 0x02, 0, 7 };
            payload.AddRange("connect"u8.ToArray());
            payload.AddRange([0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]);
            for (var i = 0; i < 200; i++)
            {
                payload.AddRange([0x03, 0, 1, (byte)'x']);
            }

            return c.SendMessageAsync(3, RtmpMessageType.CommandAmf0, 0, [.. payload]);
        }));

        // A message header announcing more than the message size limit.
        await ExpectClosedAsync(server, "rtmp.maxMessageSize", client => AfterHandshake(client, c => c.SendAsync([0x04, 0, 0, 0, 0xFF, 0xFF, 0xFF, 9, 1, 0, 0, 0])));

        // A publisher that stalls in the middle of a chunk: the idle timeout closes it.
        await ExpectClosedAsync(server, "stalled", client => AfterHandshake(client, async c =>
        {
            Assert.Equal("NetStream.Publish.Start", await c.PublishAsync("staller", TimeSpan.FromSeconds(5)));
            await c.SendAsync([0x06, 0, 0, 0, 0, 0x10, 0, 9, 1, 0, 0, 0, 0x17, 0x01]); // 4 KiB video message, 2 bytes sent
        }));

        // Through all of it the good stream kept producing segments, and the server is healthy.
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("good"), p => p.MediaSequence >= start.MediaSequence + 3 && !p.Ended, TimeSpan.FromSeconds(20), "the good stream still advancing");
        using var health = await server.Http.GetAsync("healthz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.False(publisher.HasExited, publisher.StdErr);
        Assert.False(server.Logs.Contains("unexpected failure"), "no connection ended with an unexpected exception");
    }

    private static async Task ExpectClosedAsync(OnAirServer server, string reason, Func<RtmpTestClient, Task> misbehave)
    {
        await using var client = await RtmpTestClient.ConnectAsync(server.Options.RtmpPort);
        await misbehave(client);
        Assert.True(await client.WaitForServerCloseAsync(s_closeTimeout), $"server did not close the connection ({reason})");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!server.Logs.Contains(reason) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50); // the log line is written just after the socket closes
        }

        Assert.True(server.Logs.Contains(reason), $"no log line with '{reason}':\n{string.Join('\n', server.Logs.Lines)}");
    }

    private static async Task AfterHandshake(RtmpTestClient client, Func<RtmpTestClient, Task> then)
    {
        await client.HandshakeAsync();
        await then(client);
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
