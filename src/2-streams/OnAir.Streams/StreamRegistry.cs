using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace OnAir.Streams;

/// <summary>
/// The streams by name: live, reconnecting, and none other (an ended stream leaves at once). A
/// publish of a name creates its stream or takes over the reconnecting one; the stream itself
/// decides (<see cref="LiveStream"/>). Lifecycle changes reach observers through <see cref="Events"/>.
/// </summary>
public sealed class StreamRegistry
{
    private const int MaxAttachAttempts = 3;

    private readonly Lock _gate = new(); // the name map only; never held across anything else
    private readonly Dictionary<string, LiveStream> _streams = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LiveStream> _ended = new(StringComparer.Ordinal); // the last session of each name, while its retention lasts
    private readonly StreamsOptions _options;
    private readonly LifecycleOptions _lifecycle;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IStreamKeyResolver _keys;
    private readonly IPublishAuthorizer? _authorizer;
    private readonly IStreamOwnership? _ownership;
    private readonly StreamsMetrics? _metrics;
    private long _sessions;
    private long _endedSourceFrames; // frames of the streams that left the name map, for the ingest total

    public StreamRegistry(IOptions<StreamsOptions> options, IOptions<LifecycleOptions> lifecycle, StreamEvents events, TimeProvider time, ILogger<StreamRegistry>? logger = null, IStreamKeyResolver? keys = null, IPublishAuthorizer? authorizer = null, StreamsMetrics? metrics = null, IStreamOwnership? ownership = null)
    {
        _options = options.Value;
        _lifecycle = lifecycle.Value;
        Events = events;
        _time = time;
        _logger = logger ?? NullLogger<StreamRegistry>.Instance;
        _keys = keys ?? new ConfiguredStreamKeys(options.Value);
        _authorizer = authorizer;
        _ownership = ownership;
        _metrics = metrics;
        if (metrics is not null)
        {
            metrics.Registry = this;
        }
    }

    public StreamEvents Events { get; }

    /// <summary>The streams that have not ended (live or reconnecting), by name.</summary>
    public IReadOnlyList<LiveStream> Streams
    {
        get
        {
            lock (_gate)
            {
                return [.. _streams.Values];
            }
        }
    }

    /// <summary>The streams that have not ended, and those that ended within <see cref="LifecycleOptions.EndedRetentionSeconds"/> (when no new session of their name started since).</summary>
    public IReadOnlyList<LiveStream> StreamsWithRecentlyEnded
    {
        get
        {
            lock (_gate)
            {
                ForgetExpired();
                return [.. _streams.Values, .. _ended.Values];
            }
        }
    }

    /// <summary>The stream of that name that has not ended.</summary>
    public bool TryGet(string name, out LiveStream? stream)
    {
        lock (_gate)
        {
            return _streams.TryGetValue(name, out stream);
        }
    }

    /// <summary>The stream of that name that has not ended or, failing that, its session that ended within the retention.</summary>
    public bool TryGetIncludingEnded(string name, out LiveStream? stream)
    {
        lock (_gate)
        {
            ForgetExpired();
            return _streams.TryGetValue(name, out stream) || _ended.TryGetValue(name, out stream);
        }
    }

    public int MaxStreamNameLength => _options.MaxStreamNameLength;

    /// <summary>The public name <paramref name="streamKey"/> publishes (the key itself when no keys are configured); null for an unknown key.</summary>
    public string? NameForKey(string streamKey) => _keys.NameFor(streamKey);

    /// <summary>Source frames publishers have written into every stream so far (derived from the feeds' own counts, so a frame pays for no shared counter).</summary>
    public long SourceFramesWritten
    {
        get
        {
            lock (_gate)
            {
                var total = _endedSourceFrames;
                foreach (var stream in _streams.Values)
                {
                    total += stream.Source.Feed.FramesWritten;
                }

                return total;
            }
        }
    }

    /// <summary>
    /// Publishes with <paramref name="streamKey"/> (mapped to its public name when keys are
    /// configured): starts a new stream, or resumes the name's reconnecting one.
    /// </summary>
    /// <param name="link">The publisher's protocol and link health, shown by the API; RTMP when null.</param>
    public async Task<PublishAttempt> PublishAsync(string streamKey, string connectionId, string? remote, IIngestLink? link = null)
    {
        if (_keys.NameFor(streamKey) is not { } name)
        {
            return new PublishAttempt(PublishResult.UnknownKey, null);
        }

        if (!StreamName.IsValid(name, _options.MaxStreamNameLength))
        {
            return new PublishAttempt(PublishResult.InvalidName, null) { Name = name };
        }

        if (_authorizer is not null && await _authorizer.RefusalAsync(name, remote).ConfigureAwait(false) is { } refusal)
        {
            return new PublishAttempt(PublishResult.Refused, null) { Name = name, Reason = refusal };
        }

        // Another node may hold the name (a cluster); a stream of it here (live or reconnecting) is ours already.
        if (_ownership is not null && !TryGet(name, out _) && await _ownership.ClaimAsync(name).ConfigureAwait(false) is { } owner)
        {
            return new PublishAttempt(PublishResult.OwnedElsewhere, null) { Name = name, Reason = owner };
        }

        // A stream that ends between the lookup and the attach answers Ended: try again with a new one.
        for (var attempt = 0; attempt < MaxAttachAttempts; attempt++)
        {
            var outcome = await StreamFor(name).AttachAsync(connectionId, remote, link ?? PlainIngestLink.Rtmp).ConfigureAwait(false);
            if (outcome.Result != PublishResult.Ended)
            {
                return outcome;
            }
        }

        return new PublishAttempt(PublishResult.NameInUse, null) { Name = name };
    }

    /// <summary>Ends the named stream now, closing its publisher's connection. False when no such stream exists.</summary>
    public async Task<bool> EndAsync(string name, string reason)
    {
        if (!TryGet(name, out var stream))
        {
            return false;
        }

        await stream!.EndAsync(reason).ConfigureAwait(false);
        return true;
    }

    /// <summary>Ends every stream (server shutdown): playlists get ENDLIST, publishers are disconnected.</summary>
    public Task EndAllAsync(string reason) => Task.WhenAll(Streams.Select(s => s.EndAsync(reason)));

    private LiveStream StreamFor(string name)
    {
        lock (_gate)
        {
            if (_streams.TryGetValue(name, out var stream) && stream.State != StreamState.Ended)
            {
                return stream;
            }

            _ended.Remove(name);
            var sessionId = $"{_time.GetUtcNow().ToUnixTimeMilliseconds():x}{Interlocked.Increment(ref _sessions):x}";
            stream = new LiveStream(name, sessionId, _options, _lifecycle, Events, _time, _logger, _metrics, Remove);
            _streams[name] = stream;
            stream.Start();
            return stream;
        }
    }

    private void Remove(LiveStream stream)
    {
        lock (_gate)
        {
            if (_streams.TryGetValue(stream.Name, out var current) && current == stream)
            {
                _streams.Remove(stream.Name);
                _ended[stream.Name] = stream;
                _endedSourceFrames += stream.Source.Feed.FramesWritten;
                _ownership?.Release(stream.Name);
            }
        }
    }

    private void ForgetExpired()
    {
        var now = _time.GetUtcNow();
        foreach (var (name, stream) in _ended)
        {
            if (now - stream.EndedAt >= TimeSpan.FromSeconds(_lifecycle.EndedRetentionSeconds))
            {
                _ended.Remove(name);
            }
        }
    }
}
