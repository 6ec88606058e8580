using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OnAir.Origin.Viewers;
using OnAir.Streams;

namespace OnAir.Control.Api;

/// <summary>
/// <c>GET /api/v1/events</c>: Server-Sent Events for the dashboard. Each lifecycle change as it
/// happens (<c>event: stream.started</c> ... <c>stream.ended</c>, data as the webhooks send it), and
/// every <see cref="ViewerInterval"/> the viewer count of every stream (<c>event: viewers</c>),
/// which doubles as a keep-alive. A client that reads too slowly loses the oldest events.
/// </summary>
public static class EventsApi
{
    public static readonly TimeSpan ViewerInterval = TimeSpan.FromSeconds(5);

    private const int ClientQueue = 256;
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/events", async (HttpContext context, StreamRegistry registry, ViewerTracker viewers) =>
        {
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-store";
            var events = registry.Events.Subscribe(ClientQueue);
            try
            {
                await WriteAsync(context, ": OnAir stream events\n\n").ConfigureAwait(false);
                await WriteViewersAsync(context, registry, viewers).ConfigureAwait(false);
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                    wait.CancelAfter(ViewerInterval);
                    try
                    {
                        var streamEvent = await events.ReadAsync(wait.Token).ConfigureAwait(false);
                        var json = JsonSerializer.Serialize(StreamEventJson.Of(streamEvent), s_json);
                        await WriteAsync(context, $"event: {StreamEventJson.NameOf(streamEvent.Kind)}\ndata: {json}\n\n").ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
                    {
                        await WriteViewersAsync(context, registry, viewers).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // the client went away
            }
            finally
            {
                registry.Events.Unsubscribe(events);
            }
        });
        return api;
    }

    private static Task WriteViewersAsync(HttpContext context, StreamRegistry registry, ViewerTracker viewers)
    {
        var counts = registry.Streams.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new { stream = s.Name, state = StreamView.StateName(s.State), viewers = viewers.Count(s.Name).Total });
        return WriteAsync(context, $"event: viewers\ndata: {JsonSerializer.Serialize(counts, s_json)}\n\n");
    }

    private static async Task WriteAsync(HttpContext context, string text)
    {
        await context.Response.WriteAsync(text, context.RequestAborted).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
