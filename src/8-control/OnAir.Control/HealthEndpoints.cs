using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace OnAir.Control;

/// <summary>/healthz: 200 once every listener (RTMP and HTTP) is bound and the server is running, 503 while starting or stopping.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", (IHostApplicationLifetime lifetime, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var up = lifetime.ApplicationStarted.IsCancellationRequested && !lifetime.ApplicationStopping.IsCancellationRequested;
            return up
                ? Results.Json(new { status = "ok" })
                : Results.Json(new { status = "unavailable" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
