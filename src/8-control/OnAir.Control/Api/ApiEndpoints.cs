using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OnAir.Control.Api;

/// <summary>The REST API under <c>/api/v1</c>: JSON, never cached, JSON errors for unknown routes under it.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapApi(this IEndpointRouteBuilder endpoints, ApiAccess access)
    {
        var api = endpoints.MapGroup("/api/v1");
        api.AddEndpointFilter(async (context, next) =>
        {
            context.HttpContext.Response.Headers.CacheControl = "no-store";
            return access.Check(context.HttpContext) ?? await next(context).ConfigureAwait(false);
        });
        api.MapStreamsApi();
        api.MapKeysApi();
        api.MapEventsApi();
        api.MapRecordingsApi();
        api.MapFallback((HttpContext context) =>
            ApiError.Result(StatusCodes.Status404NotFound, "not_found", $"no API endpoint {context.Request.Method} {context.Request.Path}; see the README's API section"));
        return endpoints;
    }
}
