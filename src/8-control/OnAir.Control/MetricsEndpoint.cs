using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OnAir.Transcoding;
using OpenTelemetry.Metrics;

namespace OnAir.Control;

/// <summary>
/// /metrics in the Prometheus text format: every component's <c>System.Diagnostics.Metrics</c>
/// instruments (a Meter each: OnAir.Streams, OnAir.Rtmp, OnAir.Hls, OnAir.Transcode,
/// OnAir.Viewers), ASP.NET Core's HTTP server metrics (requests by route and status) and the
/// runtime's own (GC heap by generation, committed memory, collections, thread pool, JIT), exported
/// by OpenTelemetry's Prometheus exporter. The runtime's are what tell a leak (a generation's live
/// size growing) from the GC settling (committed memory rising while the heap stays level).
/// </summary>
public static class MetricsEndpoint
{
    /// <summary>The meters /metrics exports.</summary>
    public static readonly string[] Meters = ["OnAir.Streams", "OnAir.Rtmp", "OnAir.Srt", "OnAir.Whip", "OnAir.Hls", "OnAir.Transcode", "OnAir.Recording", "OnAir.Connections", ControlMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "System.Runtime"];

    /// <summary>The exporter; each component's metrics class is registered by the host.</summary>
    public static IServiceCollection AddOnAirMetrics(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<ControlMetrics>();
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddMeter(Meters)
            .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        return services;
    }

    public static IEndpointRouteBuilder MapOnAirMetrics(this IEndpointRouteBuilder endpoints)
    {
        // Observable instruments exist once their owners are built.
        _ = endpoints.ServiceProvider.GetRequiredService<TranscodingMetrics>();
        _ = endpoints.ServiceProvider.GetRequiredService<ControlMetrics>();
        endpoints.MapPrometheusScrapingEndpoint("/metrics");
        return endpoints;
    }
}
