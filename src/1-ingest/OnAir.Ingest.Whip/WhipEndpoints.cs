using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OnAir.WebRtc.Sdp;

namespace OnAir.Ingest.Whip;

/// <summary>The WHIP resource (RFC 9725) on the HTTP port: POST /whip/NAME creates a session, DELETE /whip/NAME/ID ends it, PATCH answers trickle ICE.</summary>
public static class WhipEndpoints
{
    public const string CorsPolicy = "whip";

    /// <summary>Browsers publish from pages of other origins: they need to send Authorization and read Location.</summary>
    public static IServiceCollection AddWhipCors(this IServiceCollection services) =>
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .WithMethods("POST", "DELETE", "PATCH", "OPTIONS")
            .WithHeaders("Authorization", "Content-Type", "If-Match")
            .WithExposedHeaders("Location", "ETag", "Link")));

    public static IEndpointRouteBuilder MapWhip(this IEndpointRouteBuilder endpoints)
    {
        var whip = endpoints.MapGroup("/whip/{name}").RequireCors(CorsPolicy);
        whip.MapPost("", PostAsync);
        whip.MapDelete("/{session}", (string name, string session, WhipService service) =>
            service.Delete(name, session) ? Results.Ok() : Results.NotFound());

        // ICE-lite: the server answers the client's checks, so trickled client candidates need nothing more.
        whip.MapMethods("/{session}", ["PATCH"], (string name, string session, HttpRequest request, WhipService service) =>
            !service.Exists(name, session) ? Results.NotFound()
            : request.ContentType?.StartsWith("application/trickle-ice-sdpfrag", StringComparison.OrdinalIgnoreCase) == true ? Results.NoContent()
            : Results.StatusCode(StatusCodes.Status415UnsupportedMediaType));
        return endpoints;
    }

    private static async Task<IResult> PostAsync(string name, HttpRequest request, WhipService service)
    {
        if (request.ContentType?.StartsWith("application/sdp", StringComparison.OrdinalIgnoreCase) != true)
        {
            return Results.Text("a WHIP offer is an SDP body: Content-Type: application/sdp", statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        if (request.ContentLength > SdpOffer.MaxBytes)
        {
            return Results.Text($"the offer is larger than {SdpOffer.MaxBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var buffer = new char[SdpOffer.MaxBytes + 1];
        using var reader = new StreamReader(request.Body);
        var length = await reader.ReadBlockAsync(buffer, request.HttpContext.RequestAborted).ConfigureAwait(false);
        if (length > SdpOffer.MaxBytes)
        {
            return Results.Text($"the offer is larger than {SdpOffer.MaxBytes} bytes", statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var authorization = request.Headers.Authorization.ToString();
        var key = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : null;
        var outcome = await service.PublishAsync(name, key, new string(buffer, 0, length), request.HttpContext.Connection.RemoteIpAddress?.ToString()).ConfigureAwait(false);
        if (outcome.Status != StatusCodes.Status201Created)
        {
            return Results.Text(outcome.Error, statusCode: outcome.Status);
        }

        var location = $"/whip/{Uri.EscapeDataString(name)}/{outcome.SessionId}";
        request.HttpContext.Response.Headers.ETag = $"\"{outcome.SessionId}\"";
        return Results.Text(outcome.Answer, "application/sdp", statusCode: StatusCodes.Status201Created) is var body
            ? new CreatedWithBody(location, body)
            : body;
    }

    /// <summary>201 with Location and the SDP answer as the body.</summary>
    private sealed class CreatedWithBody(string location, IResult body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return body.ExecuteAsync(httpContext);
        }
    }
}
