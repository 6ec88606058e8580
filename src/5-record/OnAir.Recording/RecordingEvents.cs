using System.Threading.Channels;

namespace OnAir.Recording;

/// <summary>Recordings that became ready, delivered to each observer (the webhooks) through a channel of its own.</summary>
public sealed class RecordingEvents
{
    private readonly Lock _gate = new();
    private Channel<RecordingInfo>[] _observers = [];

    public ChannelReader<RecordingInfo> Subscribe()
    {
        var channel = Channel.CreateUnbounded<RecordingInfo>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        lock (_gate)
        {
            _observers = [.. _observers, channel];
        }

        return channel.Reader;
    }

    public void Unsubscribe(ChannelReader<RecordingInfo> reader)
    {
        lock (_gate)
        {
            Array.Find(_observers, c => c.Reader == reader)?.Writer.TryComplete();
            _observers = Array.FindAll(_observers, c => c.Reader != reader);
        }
    }

    internal void Ready(RecordingInfo info)
    {
        lock (_gate)
        {
            foreach (var channel in _observers)
            {
                channel.Writer.TryWrite(info);
            }
        }
    }
}
