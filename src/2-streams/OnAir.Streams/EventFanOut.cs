using System.Threading.Channels;

namespace OnAir.Streams;

/// <summary>
/// Delivers events to each observer through a channel of its own, so an observer runs on its own
/// loop and a slow one delays nobody; every observer sees the events in one order. The stream
/// lifecycle (<see cref="StreamEvents"/>) and recordings becoming ready are delivered this way.
/// </summary>
public class EventFanOut<T>
{
    private readonly Lock _gate = new();
    private Channel<T>[] _observers = [];

    /// <summary>
    /// A new observer; it sees events published from now on, until <see cref="Unsubscribe"/>. The
    /// server's own observers read everything (unbounded: these events are rare); a remote one (an
    /// API client following /events) passes a <paramref name="capacity"/> and loses the oldest
    /// events rather than growing without bound when it reads too slowly.
    /// </summary>
    public ChannelReader<T> Subscribe(int? capacity = null)
    {
        var channel = capacity is { } bound
            ? Channel.CreateBounded<T>(new BoundedChannelOptions(bound) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest, AllowSynchronousContinuations = false })
            : Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        lock (_gate)
        {
            _observers = [.. _observers, channel];
        }

        return channel.Reader;
    }

    /// <summary>Stops delivering to <paramref name="reader"/>; its loop reads to the end of what was queued.</summary>
    public void Unsubscribe(ChannelReader<T> reader)
    {
        lock (_gate)
        {
            foreach (var channel in _observers)
            {
                if (channel.Reader == reader)
                {
                    channel.Writer.TryComplete();
                }
            }

            _observers = Array.FindAll(_observers, c => c.Reader != reader);
        }
    }

    protected void Publish(T item)
    {
        // Under the lock so that events published from two threads reach every observer in the same
        // order (a rendition added never overtakes the start it follows). TryWrite never blocks.
        lock (_gate)
        {
            foreach (var channel in _observers)
            {
                channel.Writer.TryWrite(item);
            }
        }
    }
}
