using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OnAir.Recording;

namespace OnAir.Control.Api;

/// <summary>
/// <c>GET /api/v1/recordings</c> (oldest first), <c>GET /api/v1/recordings/ID</c>,
/// <c>DELETE /api/v1/recordings/ID</c> (a finished one) and
/// <c>POST /api/v1/recordings/ID/clips {"start": s, "end": s}</c> (a new recording cut at keyframes).
/// </summary>
public static class RecordingsApi
{
    public static RouteGroupBuilder MapRecordingsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/recordings", (RecordingCatalog catalog, RecordingService recordings, TimeProvider time) =>
            Results.Json(catalog.All.Select(r => View(r, recordings, time)).ToList()));

        api.MapGet("/recordings/{id}", (string id, RecordingCatalog catalog, RecordingService recordings, TimeProvider time) =>
            catalog.TryGet(id, out var info) ? Results.Json(View(info!, recordings, time)) : NotFound(id));

        api.MapDelete("/recordings/{id}", (string id, RecordingService recordings) =>
        {
            if (recordings.Delete(id, out var found))
            {
                return Results.NoContent();
            }

            return found is null
                ? NotFound(id)
                : ApiError.Result(StatusCodes.Status409Conflict, "recording_in_progress", $"recording '{id}' is still recording (end its stream first: DELETE /api/v1/streams/{found.Stream}) or a clip is being cut from it");
        });

        api.MapPost("/recordings/{id}/clips", async (string id, ClipRequest? request, RecordingCatalog catalog, RecordingService recordings, TimeProvider time) =>
        {
            if (!catalog.TryGet(id, out var source))
            {
                return NotFound(id);
            }

            if (request?.Start is not { } start || request.End is not { } end)
            {
                return ApiError.Result(StatusCodes.Status400BadRequest, "invalid_clip", "the body must be JSON {\"start\": SECONDS, \"end\": SECONDS}, times from the recording's start");
            }

            try
            {
                var clip = await recordings.ClipAsync(source!, start, end).ConfigureAwait(false);
                return Results.Json(View(clip, recordings, time), statusCode: StatusCodes.Status201Created);
            }
            catch (ArgumentException ex)
            {
                return ApiError.Result(StatusCodes.Status400BadRequest, "invalid_clip", ex.Message);
            }
            catch (InvalidOperationException ex)
            {
                return ApiError.Result(StatusCodes.Status409Conflict, "recording_not_ready", ex.Message);
            }
            catch (IOException ex)
            {
                return ApiError.Result(StatusCodes.Status507InsufficientStorage, "no_room", ex.Message);
            }
        });
        return api;
    }

    private static RecordingView View(RecordingInfo info, RecordingService recordings, TimeProvider time) =>
        RecordingView.Of(info, time.GetUtcNow(), recordings.Progress(info.Id));

    private static IResult NotFound(string id) =>
        ApiError.Result(StatusCodes.Status404NotFound, "recording_not_found", $"no recording '{id}'; GET /api/v1/recordings lists them");

    /// <summary>The clip's range in seconds from the recording's start.</summary>
    public sealed record ClipRequest([property: JsonPropertyName("start")] double? Start, [property: JsonPropertyName("end")] double? End);
}
