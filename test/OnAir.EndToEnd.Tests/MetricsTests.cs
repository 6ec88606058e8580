using OnAir.EndToEnd.Tests.Support;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests;

/// <summary>/metrics as Prometheus scrapes it: valid text format, and the figures move while a stream runs.</summary>
public class MetricsTests
{
    [Fact]
    public async Task Metrics_parse_as_prometheus_text_and_move_while_a_stream_runs()
    {
        await using var server = await OnAirServer.StartAsync(o => o.Ladder = "passthrough");
        var idle = PrometheusText.Parse(await server.Http.GetStringAsync("metrics"));
        Assert.Equal(0, PrometheusText.Value(idle, "onair_streams", ("state", "live")));

        await using var publisher = Publisher.Ffmpeg(server.RtmpUrl("measured"), seconds: 30);
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("measured"), p => p.Segments.Count >= 2, TimeSpan.FromSeconds(20), "two segments");
        var first = PrometheusText.Parse(await server.Http.GetStringAsync("metrics"));
        await HlsPoller.WaitForAsync(server.Http, server.PlaylistUri("measured"), p => p.Segments.Count >= 3, TimeSpan.FromSeconds(10), "a third segment");
        var second = PrometheusText.Parse(await server.Http.GetStringAsync("metrics"));

        Assert.Equal(1, PrometheusText.Value(second, "onair_streams", ("state", "live")));
        Assert.Equal(1, PrometheusText.Value(second, "onair_rtmp_connections"));
        Assert.Equal(1, PrometheusText.Value(second, "onair_viewers", ("stream", "measured"))); // this test's HTTP client
        foreach (var counter in new[] { "onair_ingest_frames_total", "onair_rtmp_received_bytes_total" })
        {
            Assert.True(PrometheusText.Value(second, counter) > PrometheusText.Value(first, counter), $"{counter} did not grow");
        }

        Assert.True(PrometheusText.Value(second, "onair_hls_segments_total", ("kind", "media")) >= 3);
        var delays = PrometheusText.Value(second, "onair_hls_segment_publish_delay_seconds_count");
        Assert.True(delays >= 2, $"{delays} segment publish delays measured");
        Assert.InRange(PrometheusText.Value(second, "onair_hls_segment_publish_delay_seconds_sum") / delays, 0, 0.5);
        var playlistRequests = second.Where(s => s.Name == "http_server_request_duration_seconds_count"
            && s.Labels.GetValueOrDefault("http_route") == "/live/{name}/{rendition}/playlist.m3u8"
            && s.Labels.GetValueOrDefault("http_response_status_code") == "200").Sum(s => s.Value);
        Assert.True(playlistRequests >= 3, $"{playlistRequests} playlist requests counted by route and status");

        // The runtime's own meter: what a soak reads to tell a leak from the GC settling.
        var heap = second.Where(s => s.Name == "dotnet_gc_last_collection_heap_size_bytes").ToList();
        Assert.Contains(heap, s => s.Labels.GetValueOrDefault("gc_heap_generation") == "gen2");
        Assert.True(heap.Sum(s => s.Value) > 0, "no GC heap size exported");
        Assert.True(PrometheusText.Value(second, "dotnet_gc_last_collection_memory_committed_size_bytes") >= heap.Sum(s => s.Value),
            "committed memory is not exported, or less than the heap it holds");
    }
}
