using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace OnAir.Recording.Vod;

/// <summary>
/// Serves ready recordings: <c>/vod/ID.mp4</c> (the fast-start MP4 of the first recorded
/// rendition, source unless it recorded nothing), <c>/vod/ID/master.m3u8</c>, and per rendition
/// <c>/vod/ID/RENDITION/playlist.m3u8</c> and <c>media.mp4</c> (the fragmented file the playlist's
/// byte ranges point into). Range requests, ETags, cacheable: a ready recording never changes.
/// Only ids and renditions the catalog knows are served, so no path from the URL reaches the disk.
/// </summary>
public static class VodEndpoints
{
    private const string CacheControl = "public, max-age=86400";

    /// <returns>The /vod group, for the host to apply the players' CORS policy.</returns>
    public static RouteGroupBuilder MapVod(this IEndpointRouteBuilder endpoints)
    {
        var vod = endpoints.MapGroup("/vod");
        vod.MapMethods("/{file}", ["GET", "HEAD"], (string file, RecordingCatalog catalog, HttpContext context) =>
            file.EndsWith(".mp4", StringComparison.Ordinal) && Ready(catalog, file[..^4]) is { } info
                ? ServeProgressive(catalog, info, context)
                : NotFound());
        vod.MapMethods("/{id}/master.m3u8", ["GET", "HEAD"], (string id, RecordingCatalog catalog, HttpContext context) =>
            Ready(catalog, id) is { } info ? ServeFile(context, Path.Combine(catalog.DirectoryOf(info.Id), RecordingCatalog.MasterFileName), "application/vnd.apple.mpegurl", info) : NotFound());
        vod.MapMethods("/{id}/{rendition}/{file}", ["GET", "HEAD"], (string id, string rendition, string file, RecordingCatalog catalog, HttpContext context) =>
        {
            if (Ready(catalog, id) is not { } info || !info.Renditions.Any(r => r.Name == rendition))
            {
                return NotFound();
            }

            var directory = catalog.RenditionDirectory(info.Id, rendition);
            return file switch
            {
                RecordingCatalog.PlaylistFileName => ServeFile(context, Path.Combine(directory, file), "application/vnd.apple.mpegurl", info),
                RecordingCatalog.MediaFileName => ServeFile(context, Path.Combine(directory, file), "video/mp4", info),
                _ => NotFound(),
            };
        });
        return vod;
    }

    private static RecordingInfo? Ready(RecordingCatalog catalog, string id) =>
        catalog.TryGet(id, out var info) && info!.State == RecordingState.Ready ? info : null;

    private static IResult ServeProgressive(RecordingCatalog catalog, RecordingInfo info, HttpContext context)
    {
        var rendition = info.Renditions[0];
        var directory = catalog.RenditionDirectory(info.Id, rendition.Name);
        FileStream? head = null;
        FileStream media;
        try
        {
            head = OpenShared(Path.Combine(directory, RecordingCatalog.ProgressiveHeadFileName));
            media = OpenShared(Path.Combine(directory, RecordingCatalog.MediaFileName));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            head?.Dispose();
            return NotFound(); // deleted between the lookup and now
        }

        context.Response.Headers.CacheControl = CacheControl;
        var stream = new ConcatenatedFileStream(head, media, rendition.InitBytes, rendition.ValidBytes - rendition.InitBytes);
        return Results.Stream(stream, "video/mp4", fileDownloadName: null, info.EndedAt, ETagOf(info, "mp4"), enableRangeProcessing: true);
    }

    /// <summary>Opened so that retention may delete the recording while a download still reads it.</summary>
    private static FileStream OpenShared(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, useAsync: true);

    private static IResult ServeFile(HttpContext context, string path, string contentType, RecordingInfo info)
    {
        if (!File.Exists(path))
        {
            return NotFound();
        }

        context.Response.Headers.CacheControl = CacheControl;
        return Results.File(path, contentType, lastModified: info.EndedAt, entityTag: ETagOf(info, Path.GetRelativePath(Path.GetDirectoryName(Path.GetDirectoryName(path)!)!, path)), enableRangeProcessing: true);
    }

    /// <summary>A ready recording's files never change, so its id, size and the file's name identify a version.</summary>
    private static EntityTagHeaderValue ETagOf(RecordingInfo info, string file) =>
        new($"\"{info.Id}-{info.SizeBytes:x}-{file.Replace('\\', '/')}\"");

    private static IResult NotFound() => Results.Text("no such recording, or it is not ready yet; GET /api/v1/recordings lists them\n", "text/plain", statusCode: StatusCodes.Status404NotFound);
}
