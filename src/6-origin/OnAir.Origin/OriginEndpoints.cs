using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnAir.Origin.Viewers;
using OnAir.Packaging.Hls;

namespace OnAir.Origin;

/// <summary>
/// GET /live/NAME/master.m3u8, /live/NAME/RENDITION/playlist.m3u8 (with LL-HLS blocking reload and
/// delta updates) and /live/NAME/RENDITION/FILE (segments, parts, init segments). Names and files
/// are looked up in the packager's outputs, never joined into a file path, so no request can reach
/// a file outside what the packager wrote.
/// </summary>
public static class OriginEndpoints
{
    public const string CorsPolicy = "hls";

    /// <summary>A blocking request is answered 503 when its part has not come within this many target durations (rfc8216bis section 6.2.5.2).</summary>
    private const int BlockingTimeoutTargetDurations = 3;


    public static IServiceCollection AddOrigin(this IServiceCollection services)
    {
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .AllowAnyHeader()
            .WithMethods("GET", "HEAD", "OPTIONS")
            .WithExposedHeaders("Content-Length", "Content-Range", "Age", "Date")));
        services.AddSingleton<ViewerTracker>();
        services.AddSingleton<BlockingRequests>();
        return services;
    }

    public static IEndpointRouteBuilder MapOrigin(this IEndpointRouteBuilder endpoints)
    {
        var live = endpoints.MapGroup("/live/{name}").RequireCors(CorsPolicy);
        live.MapMethods("master.m3u8", ["GET", "HEAD"], ServeMasterAsync);
        live.MapMethods("{rendition}/playlist.m3u8", ["GET", "HEAD"], ServeMediaPlaylistAsync);
        live.MapMethods("{rendition}/{file}", ["GET", "HEAD"], ServeMediaFileAsync);
        return endpoints;
    }

    private static async Task<IResult> ServeMasterAsync(string name, HttpContext context, HlsOutputRegistry outputs, IOptions<OriginOptions> options, ViewerTracker viewers)
    {
        viewers.Seen(context, name, ViewerTracker.MasterOnly);
        var output = await WaitForOutputAsync(name, outputs, options.Value, context.RequestAborted).ConfigureAwait(false);
        if (output?.MasterPlaylist is not { } master)
        {
            return NotFound(context);
        }

        return Playlist(context, master, HlsContent.MasterPlaylistCache);
    }

    private static async Task<IResult> ServeMediaPlaylistAsync(string name, string rendition, HttpContext context, HlsOutputRegistry outputs, IOptions<OriginOptions> options, ViewerTracker viewers, BlockingRequests blocking)
    {
        if (!LowLatencyRequest.TryParse(context.Request.Query, out var request, out var error))
        {
            return BadRequest(context, error!);
        }

        var output = await WaitForOutputAsync(name, outputs, options.Value, context.RequestAborted).ConfigureAwait(false);
        if (output is null || !output.TryGetRendition(rendition, out var renditionOutput) || renditionOutput!.Snapshot is not { } snapshot)
        {
            // A blocking request for a playlist that does not exist is malformed, not early (400 rather than a 404 a CDN would cache).
            return request.IsEmpty ? NotFound(context) : BadRequest(context, $"no live rendition '{rendition}' of stream '{name}'");
        }

        viewers.Seen(context, name, rendition);
        var cache = renditionOutput.IsEnded ? HlsContent.EndedPlaylistCache : HlsContent.LivePlaylistCache;
        if (request.Blocks)
        {
            if (snapshot.PartTargetSeconds is null)
            {
                return BadRequest(context, "this playlist has no LL-HLS parts (the server runs with --no-ll-hls): blocking reload is not offered");
            }

            var (msn, part) = (request.Msn!.Value, request.Part);
            if (snapshot.IsTooFarAhead(msn, part, AdvancePartLimit(snapshot.PartTargetSeconds.Value)))
            {
                return BadRequest(context, $"_HLS_msn={msn}{(part is null ? "" : $"&_HLS_part={part}")} is too far ahead of the live edge (segment {snapshot.LastSequence}, part {snapshot.LastPartSequence}.{snapshot.LastPart})");
            }

            var timeout = TimeSpan.FromSeconds(snapshot.TargetDuration * BlockingTimeoutTargetDurations);
            var answered = await WaitUntilAsync(renditionOutput, s => s.Satisfies(msn, part), timeout, blocking, context.RequestAborted).ConfigureAwait(false);
            if (answered is null)
            {
                return Unavailable(context, $"segment {msn}{(part is null ? "" : $" part {part}")} did not come within {timeout.TotalSeconds:0} s, or too many requests are held");
            }

            snapshot = answered;
            cache = HlsContent.BlockingPlaylistCache(snapshot.TargetDuration);
        }

        var body = request.Skip && snapshot.Delta is { } delta ? delta : snapshot.Playlist;
        return Playlist(context, body, cache);
    }

    /// <summary>A segment, an LL-HLS part (held until complete when it is the hinted next part) or an init segment.</summary>
    private static async Task<IResult> ServeMediaFileAsync(string name, string rendition, string file, HttpContext context, HlsOutputRegistry outputs, ViewerTracker viewers, BlockingRequests blocking)
    {
        if (!outputs.TryGet(name, out var output) || !output!.TryGetRendition(rendition, out var renditionOutput))
        {
            return NotFound(context);
        }

        viewers.Seen(context, name, rendition);
        if (renditionOutput!.TryGetSegment(file, out var segment) && File.Exists(segment!.FilePath))
        {
            return Immutable(context, Results.File(segment.FilePath, renditionOutput.SegmentContentType, enableRangeProcessing: true));
        }

        if (renditionOutput.TryGetInitSegment(file, out var init))
        {
            return Immutable(context, Results.Bytes(init!, HlsContent.InitSegmentType, enableRangeProcessing: true));
        }

        if (!renditionOutput.TryGetPart(file, out var part)
            && renditionOutput.Snapshot is { PartTargetSeconds: not null } snapshot && !snapshot.IsEnded && snapshot.PreloadHintIs(file))
        {
            // EXT-X-PRELOAD-HINT: held until the part is complete, then sent whole. A hint can be overtaken (the
            // part ended early and a keyframe opened the next segment instead): then the wait ends at the next publish.
            var timeout = TimeSpan.FromSeconds(snapshot.TargetDuration * BlockingTimeoutTargetDurations);
            var settled = await WaitUntilAsync(renditionOutput, s => renditionOutput.TryGetPart(file, out PartInfo? _) || s.IsEnded || !s.PreloadHintIs(file), timeout, blocking, context.RequestAborted).ConfigureAwait(false);
            if (settled is null && !renditionOutput.TryGetPart(file, out _))
            {
                return Unavailable(context, $"part {file} did not come within {timeout.TotalSeconds:0} s, or too many requests are held");
            }

            renditionOutput.TryGetPart(file, out part);
        }

        if (part is null)
        {
            return NotFound(context);
        }

        return Immutable(context, new FileSliceResult(part.SegmentPath, part.Offset, part.Length, renditionOutput.SegmentContentType));
    }

    /// <summary>
    /// How far ahead of the live edge a blocking request may ask, in parts: rfc8216bis's Advance Part
    /// Limit, 3 / PART-TARGET when the part target is under a second (9 for 0.334 s parts), else 3.
    /// </summary>
    private static int AdvancePartLimit(double partTargetSeconds) => partTargetSeconds < 1 ? (int)Math.Ceiling(3 / partTargetSeconds) : 3;

    /// <summary>
    /// Holds the request until the rendition publishes a playlist that <paramref name="done"/> accepts;
    /// null when <paramref name="timeout"/> passes first or no slot is free.
    /// </summary>
    private static async Task<MediaPlaylistSnapshot?> WaitUntilAsync(RenditionOutput rendition, Func<MediaPlaylistSnapshot, bool> done, TimeSpan timeout, BlockingRequests blocking, CancellationToken aborted)
    {
        var changed = rendition.Changed; // taken before the check, so a publish between the two is not missed
        if (rendition.Snapshot is { } now && done(now))
        {
            return now;
        }

        if (!blocking.TryEnter())
        {
            return null;
        }

        try
        {
            var started = blocking.Time.GetTimestamp();
            while (true)
            {
                var remaining = timeout - blocking.Time.GetElapsedTime(started);
                if (remaining <= TimeSpan.Zero)
                {
                    return null;
                }

                try
                {
                    await changed.WaitAsync(remaining, blocking.Time, aborted).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return null;
                }

                changed = rendition.Changed;
                if (rendition.Snapshot is { } snapshot && done(snapshot))
                {
                    return snapshot;
                }
            }
        }
        finally
        {
            blocking.Exit();
        }
    }

    /// <summary>The stream's output once it has a playlist; a live stream without one yet is awaited briefly.</summary>
    private static async Task<StreamOutput?> WaitForOutputAsync(string name, HlsOutputRegistry outputs, OriginOptions options, CancellationToken aborted)
    {
        if (!outputs.TryGet(name, out var output))
        {
            return null;
        }

        if (!output!.Ready.IsCompleted)
        {
            try
            {
                await output.Ready.WaitAsync(TimeSpan.FromSeconds(options.PlaylistWaitSeconds), aborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return null;
            }
        }

        return output;
    }

    private static IResult Playlist(HttpContext context, byte[] body, string cacheControl)
    {
        context.Response.Headers.CacheControl = cacheControl;
        return Results.Bytes(body, HlsContent.PlaylistType);
    }

    private static IResult Immutable(HttpContext context, IResult result)
    {
        context.Response.Headers.CacheControl = HlsContent.ImmutableCache;
        return result;
    }

    private static IResult NotFound(HttpContext context)
    {
        context.Response.Headers.CacheControl = HlsContent.NotFoundCache;
        return Results.NotFound();
    }

    private static IResult BadRequest(HttpContext context, string reason)
    {
        context.Response.Headers.CacheControl = HlsContent.NotFoundCache;
        return Results.Text(reason + "\n", "text/plain", statusCode: StatusCodes.Status400BadRequest);
    }

    private static IResult Unavailable(HttpContext context, string reason)
    {
        context.Response.Headers.CacheControl = HlsContent.NotFoundCache;
        return Results.Text(reason + "\n", "text/plain", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
