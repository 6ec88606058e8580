namespace OnAir.Streams;

/// <summary>Every stream's lifecycle events, delivered to each observer (packager, transcoder, recorder, API, webhooks) on its own channel.</summary>
public sealed class StreamEvents : EventFanOut<StreamEvent>
{
    internal new void Publish(StreamEvent streamEvent) => base.Publish(streamEvent);
}
