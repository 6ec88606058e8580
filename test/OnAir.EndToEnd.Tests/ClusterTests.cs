using System.Net;
using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>Two OnAir nodes sharing one real redis-server: one registry of stream names across them.</summary>
public class ClusterTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Nodes_list_each_others_streams_refuse_a_name_live_elsewhere_and_forget_a_dead_node_after_its_ttl()
    {
        await using var redis = await RedisServer.StartAsync();
        using var dataA = new TempDir();
        var (rtmpA, httpA) = (OnAirServer.FreePort(), OnAirServer.FreePort());
        // Node A is a process of its own, so it can die as a crashed machine would (SIGKILL: no goodbye to Redis).
        await using var nodeA = ChildProcess.Start("dotnet",
        [
            Path.Combine(TestVectors.RepositoryRoot, "src", "OnAir.Server", "bin", "Release", "net10.0", "onair.dll"),
            "serve", "--rtmp-port", rtmpA.ToString(System.Globalization.CultureInfo.InvariantCulture), "--http-port", httpA.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--data-dir", dataA.Path, "--ladder", "passthrough", "--redis", redis.Endpoint, .. OnAirServer.NoUdpIngest,
        ], new Dictionary<string, string> { ["ONAIR_CLUSTER__NODEID"] = "node-a", ["ONAIR_CLUSTER__TTLSECONDS"] = "4", ["ONAIR_CLUSTER__HEARTBEATSECONDS"] = "1" });
        await using var nodeB = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.Redis = redis.Endpoint;
            o.Cluster.NodeId = "node-b";
            o.Cluster.TtlSeconds = 4;
            o.Cluster.HeartbeatSeconds = 1;
        });
        using var httpToA = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpA}/") };
        await Eventually.TrueAsync(() => HealthyAsync(httpToA), "node A up", TimeSpan.FromSeconds(30));

        await using var onA = await RtmpTestClient.ConnectAsync(rtmpA);
        await onA.HandshakeAsync();
        Assert.Equal("NetStream.Publish.Start", await onA.PublishAsync("shared", s_wait));

        // Node B lists node A's stream, and refuses the name while A has it.
        var listed = await StreamApi.WaitForAsync(nodeB, "shared", s => s.Json.GetProperty("node").GetString() == "node-a", s_wait, "node A's stream listed by node B");
        Assert.Equal("live", listed.State);
        await using (var onB = await RtmpTestClient.ConnectAsync(nodeB.Options.RtmpPort))
        {
            await onB.HandshakeAsync();
            Assert.Equal("NetStream.Publish.BadName", await onB.PublishAsync("shared", s_wait));
        }

        Assert.Contains(nodeB.Logs.Lines, l => l.Contains("is live on node node-a", StringComparison.Ordinal));

        // Node A dies: B forgets its stream after the TTL (4 s), then the name may be published on B.
        nodeA.KillHard();
        var died = DateTime.UtcNow;
        await Eventually.TrueAsync(async () => await StreamApi.GetAsync(nodeB, "shared") is null, "node A's stream forgotten", TimeSpan.FromSeconds(10));
        Assert.InRange((DateTime.UtcNow - died).TotalSeconds, 1, 8); // the TTL, not at once and not never
        await using (var onB = await RtmpTestClient.ConnectAsync(nodeB.Options.RtmpPort))
        {
            await onB.HandshakeAsync();
            Assert.Equal("NetStream.Publish.Start", await onB.PublishAsync("shared", s_wait));

            // Redis dies mid-stream: node B keeps its stream and says why the cluster view is gone.
            redis.Kill();
            await Eventually.TrueAsync(() => nodeB.Logs.Lines.Any(l => l.Contains("is unreachable", StringComparison.Ordinal)), "the outage logged", TimeSpan.FromSeconds(10));
            var local = await StreamApi.GetAsync(nodeB, "shared");
            Assert.Equal("live", local!.State);
            Assert.Equal("node-b", local.Json.GetProperty("node").GetString());
        }
    }

    [Fact]
    public async Task A_node_whose_redis_is_unreachable_at_start_serves_its_own_streams_and_says_why()
    {
        var closedPort = OnAirServer.FreePort(); // nothing listens there
        await using var node = await OnAirServer.StartAsync(o =>
        {
            o.Ladder = "passthrough";
            o.Redis = $"127.0.0.1:{closedPort}";
            o.Cluster.NodeId = "lonely";
        });

        Assert.Contains(node.Logs.Lines, l => l.Contains($"Redis 127.0.0.1:{closedPort} is unreachable", StringComparison.Ordinal) && l.Contains("keeps serving its own streams", StringComparison.Ordinal));
        await using var client = await RtmpTestClient.ConnectAsync(node.Options.RtmpPort);
        await client.HandshakeAsync();
        Assert.Equal("NetStream.Publish.Start", await client.PublishAsync("alone", s_wait));
        var status = await StreamApi.WaitForAsync(node, "alone", s => s.State == "live", s_wait, "the stream listed");
        Assert.Equal("lonely", status.Json.GetProperty("node").GetString());
        using var listing = await node.Http.GetAsync("api/v1/streams");
        Assert.Equal(HttpStatusCode.OK, listing.StatusCode); // the cluster view is empty, not an error
    }

    private static async Task<bool> HealthyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("healthz");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
