using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OnAir.Streams;

/// <summary>
/// A stream as viewers know it: a public name, the renditions being produced, and a lifecycle
/// (starting → live → reconnecting → live … → ended) that outlives any one publisher session.
/// Protocol-neutral: ingest writes into <see cref="Source"/> through a <see cref="StreamPublisher"/>,
/// everything else subscribes to the feeds and hears of changes through <see cref="StreamEvents"/>.
/// </summary>
/// <remarks>
/// An actor: one loop reading a command channel owns the state machine, the attached publisher and
/// the grace timer (on <see cref="TimeProvider"/>), so a publisher leaving, another arriving and the
/// grace expiring are decided one at a time, never under a lock. The rendition list is a
/// copy-on-write array its producers change under a small lock that guards nothing else (no I/O).
/// </remarks>
public sealed class LiveStream
{
    private readonly Channel<Command> _commands = Channel.CreateUnbounded<Command>(new UnboundedChannelOptions { SingleReader = true });
    private readonly StreamsOptions _options;
    private readonly LifecycleOptions _lifecycle;
    private readonly StreamEvents _events;
    private readonly TimeProvider _time;
    private readonly Action<LiveStream> _ended;
    private readonly ILogger _logger;
    private readonly SourceTimeline _sourceTimeline;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private Rendition[] _renditions;
    private int _state = (int)StreamState.Starting;
    private int _declaredVideoBitrateKbps;
    private int _reconnects;
    private StreamPublisher? _publisher;

    // Owned by the loop.
    private ITimer? _graceTimer;
    private int _graceGeneration;
    private long _lostAt;

    internal LiveStream(string name, string sessionId, StreamsOptions options, LifecycleOptions lifecycle, StreamEvents events, TimeProvider time, ILogger logger, StreamsMetrics? metrics, Action<LiveStream> ended)
    {
        _logger = logger;
        Metrics = metrics;
        Name = name;
        SessionId = sessionId;
        _options = options;
        _lifecycle = lifecycle;
        _events = events;
        _time = time;
        _ended = ended;
        _sourceTimeline = new SourceTimeline(time);
        StartedAt = time.GetUtcNow();
        Source = new Rendition(Rendition.SourceName, new MediaFeed(options, metrics));
        _renditions = [Source];
    }

    public string Name { get; }

    /// <summary>
    /// Unique per session of the name: a publish after the stream ended starts a new session with a
    /// new id, a reconnect within the grace period keeps it. Used in segment names, so cached URLs never collide.
    /// </summary>
    public string SessionId { get; }

    public DateTimeOffset StartedAt { get; }

    public StreamState State => (StreamState)Volatile.Read(ref _state);

    /// <summary>When the stream ended; null before.</summary>
    public DateTimeOffset? EndedAt { get; private set; }

    /// <summary>How many times a publisher took the stream over after it was lost.</summary>
    public int Reconnects => Volatile.Read(ref _reconnects);

    /// <summary>The publisher session attached now; null while starting, reconnecting or ended.</summary>
    public StreamPublisher? Publisher => Volatile.Read(ref _publisher);

    /// <summary>Completes once the stream has ended and told its observers.</summary>
    public Task Completion => _completion.Task;

    /// <summary>
    /// The video bitrate the publisher declares (RTMP onMetaData videodatarate), kbit/s; null when it
    /// declares none. Set by ingest whenever metadata arrives (encoders send it before their first
    /// frame); the transcoder reads it when it plans the ladder.
    /// </summary>
    public int? DeclaredVideoBitrateKbps
    {
        get => Volatile.Read(ref _declaredVideoBitrateKbps) is > 0 and var kbps ? kbps : null;
        set => Volatile.Write(ref _declaredVideoBitrateKbps, value ?? 0);
    }

    public Rendition Source { get; }

    internal StreamsMetrics? Metrics { get; }

    public IReadOnlyList<Rendition> Renditions => Volatile.Read(ref _renditions);

    /// <summary>
    /// Adds a rendition (a transcoded rung) whose frames its producer writes into the returned
    /// rendition's feed. Observers hear of it through <see cref="StreamEventKind.RenditionAdded"/>;
    /// the feed's GOP cache keeps the first keyframe for them.
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

            rendition = new Rendition(name, new MediaFeed(_options, Metrics));
            Volatile.Write(ref _renditions, [.. _renditions, rendition]);
        }

        _events.Publish(new StreamEvent(StreamEventKind.RenditionAdded, this, _time.GetUtcNow(), rendition));
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

    internal void Start() => _ = RunAsync();

    /// <summary>Attaches a publisher: starts the stream, resumes it when reconnecting, refuses while another publisher is live.</summary>
    internal async Task<PublishAttempt> AttachAsync(string connectionId, string? remote, IIngestLink link)
    {
        var publisher = new StreamPublisher(this, _sourceTimeline, connectionId, remote, link);
        var reply = new TaskCompletionSource<PublishResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_commands.Writer.TryWrite(new AttachCommand(publisher, reply)))
        {
            return new PublishAttempt(PublishResult.Ended, null) { Name = Name };
        }

        var result = await reply.Task.ConfigureAwait(false);
        return new PublishAttempt(result, result is PublishResult.Started or PublishResult.Resumed ? publisher : null) { Name = Name };
    }

    internal void Detach(StreamPublisher publisher, bool unpublished) => _commands.Writer.TryWrite(new DetachCommand(publisher, unpublished));

    /// <summary>Ends the stream now (an API kick, server shutdown), closing the publisher's connection if one is attached.</summary>
    internal Task EndAsync(string reason)
    {
        _commands.Writer.TryWrite(new EndCommand(reason));
        return Completion;
    }

    private async Task RunAsync()
    {
        await foreach (var command in _commands.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            switch (command)
            {
                case AttachCommand attach:
                    attach.Reply.TrySetResult(OnAttach(attach.Publisher));
                    break;
                case DetachCommand detach:
                    OnDetach(detach.Publisher, detach.Unpublished);
                    break;
                case GraceExpiredCommand expired when expired.Generation == _graceGeneration && State == StreamState.Reconnecting:
                    Finish($"the publisher did not come back within {_lifecycle.ReconnectGraceSeconds} s (lifecycle.reconnectGraceSeconds)");
                    break;
                case EndCommand end:
                    Finish(end.Reason);
                    break;
            }
        }
    }

    private PublishResult OnAttach(StreamPublisher publisher)
    {
        switch (State)
        {
            case StreamState.Starting:
                Volatile.Write(ref _publisher, publisher);
                SetState(StreamState.Live);
                StreamsLog.Started(_logger, Name, SessionId);
                _events.Publish(new StreamEvent(StreamEventKind.Started, this, _time.GetUtcNow()));
                return PublishResult.Started;
            case StreamState.Reconnecting:
                _graceGeneration++;
                _graceTimer?.Dispose();
                _graceTimer = null;
                publisher.Continues = true;
                Volatile.Write(ref _publisher, publisher);
                Interlocked.Increment(ref _reconnects);
                Metrics?.Reconnected();
                SetState(StreamState.Live);
                StreamsLog.Resumed(_logger, Name, SessionId, _time.GetElapsedTime(_lostAt).TotalSeconds, Reconnects);
                _events.Publish(new StreamEvent(StreamEventKind.Resumed, this, _time.GetUtcNow()));
                return PublishResult.Resumed;
            case StreamState.Live:
                return PublishResult.NameInUse;
            default:
                return PublishResult.Ended;
        }
    }

    private void OnDetach(StreamPublisher publisher, bool unpublished)
    {
        if (publisher != _publisher || State != StreamState.Live)
        {
            return; // a refused publish, or one the stream has already let go
        }

        Volatile.Write(ref _publisher, null);
        if (unpublished && _lifecycle.EndOnUnpublish)
        {
            Finish("the publisher unpublished");
            return;
        }

        if (_lifecycle.ReconnectGraceSeconds <= 0)
        {
            Finish("the publisher left (no reconnect grace configured)");
            return;
        }

        // The cached GOP is the old session's: a reader joining now must wait for the new one.
        Source.Feed.ResetGopCache();
        SetState(StreamState.Reconnecting);
        var generation = ++_graceGeneration;
        _graceTimer = _time.CreateTimer(
            _ => _commands.Writer.TryWrite(new GraceExpiredCommand(generation)),
            null,
            TimeSpan.FromSeconds(_lifecycle.ReconnectGraceSeconds),
            Timeout.InfiniteTimeSpan);
        var reason = unpublished ? "the publisher unpublished" : "the publisher's connection was lost";
        _lostAt = _time.GetTimestamp();
        StreamsLog.Reconnecting(_logger, Name, SessionId, reason, _lifecycle.ReconnectGraceSeconds);
        _events.Publish(new StreamEvent(StreamEventKind.Reconnecting, this, _time.GetUtcNow(), Reason: reason));
    }

    private void Finish(string reason)
    {
        if (State == StreamState.Ended)
        {
            return;
        }

        _graceTimer?.Dispose();
        _graceTimer = null;
        Interlocked.Exchange(ref _publisher, null)?.Kick(reason);
        EndedAt = _time.GetUtcNow(); // before the state: whoever sees Ended (a volatile read) sees when
        Rendition[] renditions;
        lock (_gate)
        {
            SetState(StreamState.Ended);
            renditions = _renditions;
        }

        foreach (var rendition in renditions)
        {
            rendition.Feed.Complete();
        }

        _ended(this);
        StreamsLog.Ended(_logger, Name, SessionId, reason);
        _commands.Writer.TryComplete(); // queued attaches are answered Ended below; later ones fail to write
        _events.Publish(new StreamEvent(StreamEventKind.Ended, this, EndedAt.Value, Reason: reason));
        _completion.TrySetResult();
    }

    private void SetState(StreamState state) => Volatile.Write(ref _state, (int)state);

    private abstract record Command;

    private sealed record AttachCommand(StreamPublisher Publisher, TaskCompletionSource<PublishResult> Reply) : Command;

    private sealed record DetachCommand(StreamPublisher Publisher, bool Unpublished) : Command;

    private sealed record GraceExpiredCommand(int Generation) : Command;

    private sealed record EndCommand(string Reason) : Command;
}
