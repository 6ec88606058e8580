using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace OnAir.Streams;

/// <summary>
/// Which streams are live, by name. Publishing a name that is live is refused; every start and
/// end is announced to observers (packager, recorder, API) synchronously, before the first frame.
/// </summary>
public sealed class StreamRegistry
{
    private readonly ConcurrentDictionary<string, LiveStream> _live = new(StringComparer.Ordinal);
    private readonly StreamsOptions _options;
    private readonly TimeProvider _time;

    public StreamRegistry(IOptions<StreamsOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
    }

    /// <summary>Raised synchronously when a stream starts, before any frame is written, so observers can subscribe without missing the first keyframe.</summary>
    public event Action<LiveStream>? StreamStarted;

    public ICollection<LiveStream> LiveStreams => _live.Values;

    public bool TryGet(string name, out LiveStream? stream) => _live.TryGetValue(name, out stream);

    public int MaxStreamNameLength => _options.MaxStreamNameLength;

    /// <summary>Starts a stream for a publisher presenting <paramref name="streamKey"/> (mapped to its public name when keys are configured).</summary>
    public PublishResult TryStartPublishing(string streamKey, string sessionId, out StreamPublisher? publisher)
    {
        publisher = null;
        var name = streamKey;
        if (_options.StreamKeys.Count > 0 && !_options.StreamKeys.TryGetValue(streamKey, out name))
        {
            return PublishResult.UnknownKey;
        }

        if (!StreamName.IsValid(name, _options.MaxStreamNameLength))
        {
            return PublishResult.InvalidName;
        }

        var stream = new LiveStream(name, sessionId, _time.GetUtcNow(), _options);
        if (!_live.TryAdd(name, stream))
        {
            return PublishResult.NameInUse;
        }

        try
        {
            StreamStarted?.Invoke(stream);
        }
        catch
        {
            // An observer that failed must not leave the name taken by a stream nobody publishes.
            OnPublisherLeft(stream);
            throw;
        }

        publisher = new StreamPublisher(this, stream);
        return PublishResult.Started;
    }

    /// <summary>Ends every live stream (server shutdown): playlists get ENDLIST, files are flushed.</summary>
    public void EndAll()
    {
        foreach (var stream in _live.Values)
        {
            OnPublisherLeft(stream);
        }
    }

    internal void OnPublisherLeft(LiveStream stream)
    {
        _live.TryRemove(new KeyValuePair<string, LiveStream>(stream.Name, stream));
        stream.End();
    }
}
