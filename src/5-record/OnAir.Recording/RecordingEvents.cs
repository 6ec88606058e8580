using OnAir.Streams;

namespace OnAir.Recording;

/// <summary>Recordings that became ready, delivered to each observer (the webhooks) through a channel of its own.</summary>
public sealed class RecordingEvents : EventFanOut<RecordingInfo>
{
    internal void Ready(RecordingInfo info) => Publish(info);
}
