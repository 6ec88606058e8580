namespace OnAir.Streams;

/// <summary>
/// A stream as viewers know it: a public name, the renditions being produced, and a lifecycle
/// that outlives any one publisher session. Protocol-neutral: ingest writes into
/// <see cref="Source"/>, everything else subscribes.
/// </summary>
public sealed class LiveStream
{
    private static long s_instances;
    private readonly Lock _gate = new();
    private Rendition[] _renditions;
    private int _state = (int)StreamState.Live;
    private int _declaredVideoBitrateKbps;

    private readonly StreamsOptions _options;

    internal LiveStream(string name, string sessionId, DateTimeOffset startedAt, StreamsOptions options)
    {
        _options = options;
        Name = name;
        SessionId = sessionId;
        StartedAt = startedAt;
        Id = $"{startedAt.ToUnixTimeMilliseconds():x}{Interlocked.Increment(ref s_instances):x}";
        Source = new Rendition(Rendition.SourceName, new MediaFeed(options));
        _renditions = [Source];
    }

    public string Name { get; }

    /// <summary>Unique per stream instance (a later stream of the same name gets a new one); used in segment names so cached URLs never collide.</summary>
    public string Id { get; }

    /// <summary>The publisher session currently attached.</summary>
    public string SessionId { get; }

    public DateTimeOffset StartedAt { get; }

    public StreamState State => (StreamState)Volatile.Read(ref _state);

    /// <summary>
    /// The video bitrate the publisher declares (RTMP onMetaData videodatarate), kbit/s; null when it
    /// declares none. Set by ingest whenever metadata arrives (encoders send it before their first
    /// frame); the transcoder reads it once, when it starts, to cap its rungs.
    /// </summary>
    public int? DeclaredVideoBitrateKbps
    {
        get => Volatile.Read(ref _declaredVideoBitrateKbps) is > 0 and var kbps ? kbps : null;
        set => Volatile.Write(ref _declaredVideoBitrateKbps, value ?? 0);
    }

    public Rendition Source { get; }

    public IReadOnlyList<Rendition> Renditions => Volatile.Read(ref _renditions);

    /// <summary>Raised synchronously when a rendition is added, before any frame is written to it.</summary>
    public event Action<LiveStream, Rendition>? RenditionAdded;

    /// <summary>
    /// Adds a rendition (a transcoded rung) whose frames its producer writes into the returned
    /// rendition's feed; every subscriber of the stream hears of it before the first frame.
    /// </summary>
    /// <exception cref="InvalidOperationException">The stream has ended, or the name is taken.</exception>
    public Rendition AddRendition(string name)
    {
        Rendition rendition;
        lock (_gate)
        {
            if (State == StreamState.Ended)
            {
                throw new InvalidOperationException($"stream {Name} has ended; no rendition can be added");
            }

            if (Array.Exists(_renditions, r => r.Name == name))
            {
                throw new InvalidOperationException($"stream {Name} already has a rendition '{name}'");
            }

            rendition = new Rendition(name, new MediaFeed(_options));
            Volatile.Write(ref _renditions, [.. _renditions, rendition]);
        }

        RenditionAdded?.Invoke(this, rendition);
        return rendition;
    }

    /// <summary>
    /// Takes a rendition out of the stream's list (a transcoded rung given up under load): the
    /// master playlist stops listing it, its feed stays open for its producer to end or
    /// <see cref="RestoreRendition"/> to bring back. The source cannot be removed.
    /// </summary>
    public bool RemoveRendition(Rendition rendition)
    {
        if (rendition == Source)
        {
            throw new InvalidOperationException("the source rendition cannot be removed");
        }

        lock (_gate)
        {
            var remaining = Array.FindAll(_renditions, r => r != rendition);
            var removed = remaining.Length != _renditions.Length;
            Volatile.Write(ref _renditions, remaining);
            return removed;
        }
    }

    /// <summary>Lists a removed rendition again (its feed never ended, so its readers carry on). Returns false when the stream has ended or the name is taken.</summary>
    public bool RestoreRendition(Rendition rendition)
    {
        lock (_gate)
        {
            if (State == StreamState.Ended || rendition.Feed.IsCompleted || Array.Exists(_renditions, r => r.Name == rendition.Name))
            {
                return false;
            }

            Volatile.Write(ref _renditions, [.. _renditions, rendition]);
            return true;
        }
    }

    /// <summary>Raised when the stream ends (after every feed completed).</summary>
    public event Action<LiveStream>? Ended;

    /// <summary>Ends the stream: every rendition's readers drain and then see the end.</summary>
    internal void End()
    {
        Rendition[] renditions;
        lock (_gate)
        {
            if (Interlocked.Exchange(ref _state, (int)StreamState.Ended) == (int)StreamState.Ended)
            {
                return;
            }

            renditions = _renditions;
        }

        foreach (var rendition in renditions)
        {
            rendition.Feed.Complete();
        }

        Ended?.Invoke(this);
    }
}
