using OnAir.Streams;

namespace OnAir.Control.Api;

/// <summary>A lifecycle event as the API's event stream and the webhooks send it.</summary>
public sealed record StreamEventJson(string Event, string Stream, string SessionId, string State, DateTimeOffset At, string? Rendition, string? Reason)
{
    public static StreamEventJson Of(StreamEvent e) =>
        new(NameOf(e.Kind), e.Stream.Name, e.Stream.SessionId, StreamView.StateName(e.Stream.State), e.At, e.Rendition?.Name, e.Reason);

    /// <summary>stream.started, stream.reconnecting, stream.resumed, stream.rendition_added, stream.ended.</summary>
    public static string NameOf(StreamEventKind kind) => "stream." + SnakeCase.Of(kind.ToString());
}
