using Microsoft.Extensions.Logging;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Media.Flv;
using OnAir.Streams;
using OnAir.Streams.Diagnostics;

namespace OnAir.Ingest.Rtmp;

/// <summary>State of one RTMP connection that its message handlers share. Owned by the connection's single read loop.</summary>
internal sealed class RtmpSessionContext
{
    public RtmpSessionContext(string sessionId, string? remote, RtmpReplies replies, ILogger logger)
    {
        SessionId = sessionId;
        Remote = remote;
        Replies = replies;
        Logger = logger;
    }

    public string SessionId { get; }

    public string? Remote { get; }

    public RtmpReplies Replies { get; }

    public ILogger Logger { get; }

    /// <summary>RTMP, or RTMPS behind TLS: what the API shows as the publisher's protocol.</summary>
    public IIngestLink Link { get; init; } = PlainIngestLink.Rtmp;

    /// <summary>The application named in connect (the first path segment of the RTMP URL).</summary>
    public string? App { get; set; }

    /// <summary>The handle on the stream while publishing.</summary>
    public StreamPublisher? Publisher { get; set; }

    /// <summary>A publish waiting for the stream's answer; the connection loop awaits it before reading on.</summary>
    public Task? PendingPublish { get; set; }

    /// <summary>Set by the connection: closes it from another thread (the stream was ended by an API kick or shutdown).</summary>
    public Action<string> Kick { get; set; } = _ => { };

    public FlvMediaReader Media { get; } = new();

    /// <summary>The publisher's last metadata summary, so repeats are not logged again.</summary>
    public string? LastMetadata { get; set; }

    /// <summary>Message stream ids handed out by createStream.</summary>
    public uint LastStreamId { get; set; }

    /// <summary>Set when a handler decided the connection must end; the loop flushes the replies and closes.</summary>
    public string? CloseReason { get; private set; }

    public void RequestClose(string reason) => CloseReason ??= reason;

    /// <summary>Shared by every RTMP connection: a flood of bad or idle peers logs a count per interval, not a line each.</summary>
    public RepeatedWarning? CloseWarnings { get; init; }

    /// <summary>Logs why the server closed the connection (a protocol error, a timeout, a kick), unless a flood of such closes is being counted instead.</summary>
    public void LogClosed(string reason)
    {
        if (CloseWarnings?.ShouldLog() ?? true)
        {
            RtmpLog.ProtocolError(Logger, SessionId, Remote, reason);
        }
    }

    /// <summary>
    /// Leaves the stream; safe to call more than once. <paramref name="unpublished"/>: the publisher
    /// said it is done (FCUnpublish/deleteStream), which may end the stream at once; otherwise its
    /// connection is gone and the stream waits for it to come back.
    /// </summary>
    public void StopPublishing(bool unpublished)
    {
        if (Publisher is not { } publisher)
        {
            return;
        }

        Publisher = null;
        RtmpLog.PublishEnded(Logger, publisher.Stream.Name, SessionId, unpublished ? "unpublished" : "connection closed", publisher.Stream.Source.Feed.FramesWritten);
        if (unpublished)
        {
            publisher.Unpublish();
        }
        else
        {
            publisher.Dispose();
        }
    }
}
