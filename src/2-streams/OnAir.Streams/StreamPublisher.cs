using OnAir.Media;

namespace OnAir.Streams;

/// <summary>
/// A publisher session's handle on its stream: write frames, <see cref="Unpublish"/> when the
/// publisher says it is done, dispose when its connection is gone. Used by one ingest thread.
/// </summary>
public sealed class StreamPublisher : IDisposable
{
    private readonly SourceTimeline _timeline;
    private readonly Lock _kickGate = new();
    private Action<string>? _onKick;
    private string? _kickReason;
    private bool _wroteFrame;
    private long _offset;
    private int _left;

    internal StreamPublisher(LiveStream stream, SourceTimeline timeline, string connectionId, string? remote, IIngestLink link)
    {
        Stream = stream;
        _timeline = timeline;
        ConnectionId = connectionId;
        Remote = remote;
        Link = link;
    }

    public LiveStream Stream { get; }

    /// <summary>The ingest connection's id (logs correlate it with the stream's session id).</summary>
    public string ConnectionId { get; }

    public string? Remote { get; }

    /// <summary>The ingest protocol and, where it measures one, the link's health.</summary>
    public IIngestLink Link { get; }

    /// <summary>Set by the stream when this session takes over a reconnecting stream: its frames continue the stream's timeline.</summary>
    internal bool Continues { get; set; }

    /// <summary>Writes a source frame; consumes the caller's reference.</summary>
    public void Write(MediaFrame frame)
    {
        if (!_wroteFrame)
        {
            _wroteFrame = true;
            if (Continues)
            {
                _offset = _timeline.OffsetFor(frame.Dts);
                frame.Discontinuity = true;
            }
        }

        if (_offset != 0)
        {
            frame.ShiftTimestamps(_offset);
        }

        frame.ArrivedAt = _timeline.Note(frame.Dts);
        Stream.Source.Feed.Write(frame);
    }

    /// <summary>How the ingest closes this publisher's connection when the stream is ended by someone else (an API kick, shutdown).</summary>
    public void OnKick(Action<string> close)
    {
        string? pending;
        lock (_kickGate)
        {
            _onKick = close;
            pending = _kickReason;
        }

        if (pending is not null)
        {
            close(pending);
        }
    }

    /// <summary>The publisher said it is done (RTMP FCUnpublish/deleteStream).</summary>
    public void Unpublish() => Leave(unpublished: true);

    /// <summary>The publisher's connection is gone (closed, reset, timed out).</summary>
    public void Dispose() => Leave(unpublished: false);

    internal void Kick(string reason)
    {
        Action<string>? close;
        lock (_kickGate)
        {
            _kickReason = reason;
            close = _onKick;
        }

        close?.Invoke(reason);
    }

    private void Leave(bool unpublished)
    {
        if (Interlocked.Exchange(ref _left, 1) == 0)
        {
            Stream.Detach(this, unpublished);
        }
    }
}
