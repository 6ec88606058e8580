using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OnAir.Control.Keys;
using OnAir.Streams;

namespace OnAir.Control.Api;

/// <summary>
/// <c>POST /api/v1/keys {"name": "studio"}</c> creates a stream key for a stream name and returns
/// its secret once; <c>GET /api/v1/keys</c> lists the active keys (never a secret);
/// <c>DELETE /api/v1/keys/ID</c> revokes one (refused at its next publish).
/// </summary>
public static class KeysApi
{
    private const int MaxBodyBytes = 4096;

    public static RouteGroupBuilder MapKeysApi(this RouteGroupBuilder api)
    {
        api.MapPost("/keys", async (HttpContext context, StreamKeyStore keys, StreamRegistry registry) =>
        {
            if (await ReadNameAsync(context).ConfigureAwait(false) is not { } name)
            {
                return ApiError.Result(StatusCodes.Status400BadRequest, "invalid_body", "send a JSON object {\"name\": \"STREAM_NAME\"} (at most 4 KiB)");
            }

            if (!StreamName.IsValid(name, registry.MaxStreamNameLength))
            {
                return ApiError.Result(StatusCodes.Status400BadRequest, "invalid_name", $"'{name}' is not a stream name: use 1-{registry.MaxStreamNameLength} characters of A-Z a-z 0-9 _ - . not starting with '.'");
            }

            var created = keys.Create(name);
            return Results.Json(created, statusCode: StatusCodes.Status201Created);
        });

        api.MapGet("/keys", (StreamKeyStore keys) =>
            Results.Json(keys.Active.Select(k => new { id = k.Id, name = k.Name, createdAt = k.CreatedAt }).ToList()));

        api.MapDelete("/keys/{id}", (string id, StreamKeyStore keys) =>
            keys.Revoke(id)
                ? Results.NoContent()
                : ApiError.Result(StatusCodes.Status404NotFound, "key_not_found", $"no active stream key with id '{id}'"));
        return api;
    }

    /// <summary>The "name" of a small JSON object body, or null for anything else (too big, not JSON, no string name).</summary>
    private static async Task<string?> ReadNameAsync(HttpContext context)
    {
        if (context.Request.ContentLength is > MaxBodyBytes)
        {
            return null;
        }

        var buffer = new byte[MaxBodyBytes + 1];
        var length = 0;
        int read;
        while (length < buffer.Length && (read = await context.Request.Body.ReadAsync(buffer.AsMemory(length), context.RequestAborted).ConfigureAwait(false)) > 0)
        {
            length += read;
        }

        if (length > MaxBodyBytes)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.AsMemory(0, length), new JsonDocumentOptions { MaxDepth = 4 });
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("name", out var name)
                && name.ValueKind == JsonValueKind.String
                ? name.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
