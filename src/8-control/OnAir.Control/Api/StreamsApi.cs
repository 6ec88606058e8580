using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OnAir.Edge.Cluster;
using OnAir.Origin.Viewers;
using OnAir.Packaging.Hls;
using OnAir.Streams;
using OnAir.Transcoding;

namespace OnAir.Control.Api;

/// <summary>
/// <c>GET /api/v1/streams</c>, <c>GET /api/v1/streams/NAME</c> (live, reconnecting, or ended within
/// lifecycle.endedRetentionSeconds) and <c>DELETE /api/v1/streams/NAME</c> (disconnects the
/// publisher and ends the stream now, without waiting for a reconnect).
/// </summary>
public static class StreamsApi
{
    public static RouteGroupBuilder MapStreamsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/streams", async (StreamRegistry registry, HlsOutputRegistry outputs, ViewerTracker viewers, TranscodingService transcoding, IServiceProvider services) =>
        {
            var cluster = services.GetService<RedisStreamDirectory>();
            var local = registry.StreamsWithRecentlyEnded.Select(s => View(s, outputs, viewers, transcoding, cluster)).ToList();
            var remote = cluster is null ? [] : (await cluster.RemoteStreamsAsync().ConfigureAwait(false)).Where(r => !local.Exists(l => l.Name == r.Name)).Select(StreamView.Remote);
            return Results.Json(local.Concat(remote).OrderBy(s => s.Name, StringComparer.Ordinal).ToList());
        });

        api.MapGet("/streams/{name}", async (string name, StreamRegistry registry, HlsOutputRegistry outputs, ViewerTracker viewers, TranscodingService transcoding, IServiceProvider services) =>
        {
            var cluster = services.GetService<RedisStreamDirectory>();
            if (registry.TryGetIncludingEnded(name, out var stream))
            {
                return Results.Json(View(stream!, outputs, viewers, transcoding, cluster));
            }

            var remote = cluster is null ? null : await cluster.RemoteStreamAsync(name).ConfigureAwait(false);
            return remote is null ? NotFound(name) : Results.Json(StreamView.Remote(remote));
        });

        api.MapDelete("/streams/{name}", async (string name, StreamRegistry registry) =>
            await registry.EndAsync(name, "ended through the API (DELETE /api/v1/streams/" + name + ")").ConfigureAwait(false)
                ? Results.NoContent()
                : NotFound(name));
        return api;
    }

    private static StreamView View(LiveStream stream, HlsOutputRegistry outputs, ViewerTracker viewers, TranscodingService transcoding, RedisStreamDirectory? cluster)
    {
        outputs.TryGet(stream.Name, out var output);
        return StreamView.Of(stream, output, viewers.Count(stream.Name), transcoding.StatusOf(stream.SessionId), cluster?.NodeId);
    }

    private static IResult NotFound(string name) =>
        ApiError.Result(StatusCodes.Status404NotFound, "stream_not_found", $"no stream named '{name}' is live, reconnecting or recently ended");
}
