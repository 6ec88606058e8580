using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OnAir.Origin.Viewers;
using OnAir.Packaging.Hls;

namespace OnAir.Origin;

/// <summary>
/// GET /live/NAME/master.m3u8, /live/NAME/RENDITION/playlist.m3u8 and /live/NAME/RENDITION/SEGMENT.ts.
/// Names and files are looked up in the packager's outputs, never joined into a file path, so no
/// request can reach a file outside what the packager wrote.
/// </summary>
public static class OriginEndpoints
{
    public const string CorsPolicy = "hls";

    public static IServiceCollection AddOrigin(this IServiceCollection services)
    {
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .AllowAnyHeader()
            .WithMethods("GET", "HEAD", "OPTIONS")
            .WithExposedHeaders("Content-Length", "Content-Range", "Age", "Date")));
        services.AddSingleton<ViewerTracker>();
        return services;
    }

    public static IEndpointRouteBuilder MapOrigin(this IEndpointRouteBuilder endpoints)
    {
        var live = endpoints.MapGroup("/live/{name}").RequireCors(CorsPolicy);
        live.MapMethods("master.m3u8", ["GET", "HEAD"], ServeMasterAsync);
        live.MapMethods("{rendition}/playlist.m3u8", ["GET", "HEAD"], ServeMediaPlaylistAsync);
        live.MapMethods("{rendition}/{segment}", ["GET", "HEAD"], ServeSegment);
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

    private static async Task<IResult> ServeMediaPlaylistAsync(string name, string rendition, HttpContext context, HlsOutputRegistry outputs, IOptions<OriginOptions> options, ViewerTracker viewers)
    {
        var output = await WaitForOutputAsync(name, outputs, options.Value, context.RequestAborted).ConfigureAwait(false);
        if (output is null || !output.TryGetRendition(rendition, out var renditionOutput) || renditionOutput!.Playlist is not { } playlist)
        {
            return NotFound(context);
        }

        viewers.Seen(context, name, rendition);
        return Playlist(context, playlist, renditionOutput.IsEnded ? HlsContent.EndedPlaylistCache : HlsContent.LivePlaylistCache);
    }

    private static IResult ServeSegment(string name, string rendition, string segment, HttpContext context, HlsOutputRegistry outputs, ViewerTracker viewers)
    {
        if (!outputs.TryGet(name, out var output)
            || !output!.TryGetRendition(rendition, out var renditionOutput)
            || !renditionOutput!.TryGetSegment(segment, out var info)
            || !File.Exists(info!.FilePath))
        {
            return NotFound(context);
        }

        viewers.Seen(context, name, rendition);
        context.Response.Headers.CacheControl = HlsContent.ImmutableCache;
        return Results.File(info.FilePath, HlsContent.TransportStreamType, enableRangeProcessing: true);
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

    private static IResult NotFound(HttpContext context)
    {
        context.Response.Headers.CacheControl = HlsContent.NotFoundCache;
        return Results.NotFound();
    }
}
