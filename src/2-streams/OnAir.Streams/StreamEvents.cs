using System.Threading.Channels;

namespace OnAir.Streams;

/// <summary>
/// Delivers every stream's lifecycle events to each observer (packager, transcoder, API, webhooks)
/// through a channel of its own, so an observer runs on its own loop and a slow one delays nobody.
/// Events of all streams reach every observer in one order.
/// </summary>
public sealed class StreamEvents
{
    private readonly Lock _gate = new();
    private Channel<StreamEvent>[] _observers = [];

    /// <summary>
    /// A new observer; it sees events published from now on, until <see cref="Unsubscribe"/>. The
    /// server's own observers read everything (unbounded: lifecycle events are rare); a remote one
    /// (an API client following /events) passes a <paramref name="capacity"/> and loses the oldest
    /// events rather than growing without bound when it reads too slowly.
    /// </summary>
    public ChannelReader<StreamEvent> Subscribe(int? capacity = null)
    {
        var channel = capacity is { } bound
            ? Channel.CreateBounded<StreamEvent>(new BoundedChannelOptions(bound) { SingleReader = true, FullMode = BoundedChannelFullMode.DropOldest, AllowSynchronousContinuations = false })
            : Channel.CreateUnbounded<StreamEvent>(new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
        lock (_gate)
        {
            _observers = [.. _observers, channel];
        }

        return channel.Reader;
    }

    /// <summary>Stops delivering to <paramref name="reader"/>; its loop reads to the end of what was queued.</summary>
    public void Unsubscribe(ChannelReader<StreamEvent> reader)
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

    internal void Publish(StreamEvent streamEvent)
    {
        // Under the lock so that two streams' events reach every observer in the same order
        // (a rendition added never overtakes the start it follows). TryWrite never blocks.
        lock (_gate)
        {
            foreach (var channel in _observers)
            {
                channel.Writer.TryWrite(streamEvent);
            }
        }
    }
}
