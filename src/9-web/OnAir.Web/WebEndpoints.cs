using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace OnAir.Web;

/// <summary>
/// GET / (the dashboard), /watch/NAME (the player) and /assets/FILE (their scripts, stylesheet and
/// hls.js). The files are embedded in this assembly at build time, so the server needs nothing on
/// disk and no outside CDN; each is looked up by name in a fixed set, never joined into a path.
/// </summary>
public static class WebEndpoints
{
    private const string Prefix = "web/";

    private static readonly FrozenDictionary<string, string> s_contentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    }.ToFrozenDictionary();

    private static readonly Lazy<FrozenDictionary<string, byte[]>> s_files = new(LoadFiles);

    /// <summary>The embedded file names (for a start-up check and tests).</summary>
    public static IEnumerable<string> Files => s_files.Value.Keys;

    public static IEndpointRouteBuilder MapWeb(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext context) => Serve(context, "index.html", "no-cache"));
        endpoints.MapGet("/watch/{name}", (HttpContext context) => Serve(context, "watch.html", "no-cache"));
        // Short-lived: the names do not change with a new build (hls.js's version is pinned, the rest is small).
        endpoints.MapGet("/assets/{file}", (string file, HttpContext context) => Serve(context, file, "public, max-age=300"));
        return endpoints;
    }

    private static IResult Serve(HttpContext context, string file, string cacheControl)
    {
        if (!s_files.Value.TryGetValue(file, out var bytes) || !s_contentTypes.TryGetValue(Path.GetExtension(file), out var type))
        {
            return Results.NotFound();
        }

        context.Response.Headers.CacheControl = cacheControl;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(bytes, type);
    }

    private static FrozenDictionary<string, byte[]> LoadFiles()
    {
        var assembly = typeof(WebEndpoints).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[resource[Prefix.Length..]] = copy.ToArray();
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
