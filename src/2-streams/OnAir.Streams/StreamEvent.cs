namespace OnAir.Streams;

public enum StreamEventKind
{
    /// <summary>A new stream (a new session of its name) has its first publisher.</summary>
    Started,

    /// <summary>The publisher was lost; the stream waits for it within the grace period.</summary>
    Reconnecting,

    /// <summary>A publisher took the reconnecting stream over: its frames continue the same playlists.</summary>
    Resumed,

    /// <summary>A rendition (a transcoded rung) was added; <see cref="StreamEvent.Rendition"/> says which.</summary>
    RenditionAdded,

    /// <summary>The stream is over; its feeds have completed.</summary>
    Ended,
}

/// <summary>A lifecycle change of one stream, delivered to each observer on its own loop (never on the publisher's thread).</summary>
/// <param name="Reason">Why the stream ended or is reconnecting, for logs and webhooks.</param>
public sealed record StreamEvent(StreamEventKind Kind, LiveStream Stream, DateTimeOffset At, Rendition? Rendition = null, string? Reason = null);
