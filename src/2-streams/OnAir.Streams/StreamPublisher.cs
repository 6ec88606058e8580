using OnAir.Media;

namespace OnAir.Streams;

/// <summary>A publisher session's handle on its stream: write frames, dispose to leave.</summary>
public sealed class StreamPublisher : IDisposable
{
    private readonly StreamRegistry _registry;
    private int _disposed;

    internal StreamPublisher(StreamRegistry registry, LiveStream stream)
    {
        _registry = registry;
        Stream = stream;
    }

    public LiveStream Stream { get; }

    /// <summary>Writes a source frame; consumes the caller's reference.</summary>
    public void Write(MediaFrame frame) => Stream.Source.Feed.Write(frame);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _registry.OnPublisherLeft(Stream);
        }
    }
}
