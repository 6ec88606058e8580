using OnAir.Ingest.Rtmp.Amf0;
using OnAir.Streams;

namespace OnAir.Ingest.Rtmp.Messages;

/// <summary>
/// AMF0 commands of a publishing client (RTMP spec section 7.2) and the replies encoders wait for:
/// connect, releaseStream, FCPublish, createStream, publish, FCUnpublish, deleteStream.
/// </summary>
internal sealed class CommandHandler
{
    private readonly StreamRegistry _registry;
    private readonly RtmpOptions _options;

    public CommandHandler(StreamRegistry registry, RtmpOptions options)
    {
        _registry = registry;
        _options = options;
    }

    /// <param name="payload">The AMF0 body (for AMF3 commands, after the leading format byte).</param>
    public void Handle(RtmpSessionContext session, ReadOnlySpan<byte> payload, uint messageStreamId)
    {
        var reader = new Amf0Reader(payload, _options.MaxAmfDepth);
        if (reader.ReadValue() is not string name)
        {
            throw new RtmpProtocolException("command message does not start with a command name.");
        }

        var transactionId = reader.HasMore && reader.ReadValue() is double id ? id : 0;
        var commandObject = reader.HasMore ? reader.ReadValue() : null;
        var firstArgument = reader.HasMore ? reader.ReadValue() : null;

        switch (name)
        {
            case "connect":
                Connect(session, transactionId, commandObject as Dictionary<string, object?>);
                break;
            case "createStream":
                session.LastStreamId++;
                session.Replies.CommandResult("_result", transactionId, null, (double)session.LastStreamId);
                break;
            case "releaseStream":
                session.Replies.CommandResult("_result", transactionId, null, null);
                break;
            case "FCPublish":
                session.Replies.Notify("onFCPublish", "NetStream.Publish.Start", firstArgument as string ?? "");
                break;
            case "publish":
                Publish(session, firstArgument as string, messageStreamId);
                break;
            case "FCUnpublish":
            case "deleteStream":
            case "closeStream":
                session.StopPublishing(unpublished: true);
                break;
            case "play":
                session.Replies.OnStatus(messageStreamId, "error", "NetStream.Play.Failed", "OnAir does not serve RTMP playback; watch over HLS at /live/NAME/master.m3u8.");
                session.RequestClose("the client asked to play; OnAir serves viewers over HLS only");
                break;
            default:
                RtmpLog.CommandIgnored(session.Logger, session.SessionId, name);
                if (transactionId != 0)
                {
                    session.Replies.CommandResult("_result", transactionId, null, null);
                }

                break;
        }
    }

    private void Connect(RtmpSessionContext session, double transactionId, Dictionary<string, object?>? commandObject)
    {
        var app = commandObject?.GetValueOrDefault("app") as string ?? "";
        app = app.Split('?', 2)[0].TrimEnd('/');
        if (!string.Equals(app, _options.App, StringComparison.Ordinal))
        {
            session.Replies.CommandResult("_error", transactionId, null, new Dictionary<string, object?>
            {
                ["level"] = "error",
                ["code"] = "NetConnection.Connect.Rejected",
                ["description"] = $"Unknown application '{app}'. Publish to rtmp://HOST/{_options.App}/STREAM_KEY.",
            });
            session.RequestClose($"unknown application '{app}' (publish to rtmp://HOST/{_options.App}/STREAM_KEY)");
            return;
        }

        session.App = app;
        session.Replies.WindowAckSize(_options.WindowAckSize);
        session.Replies.SetPeerBandwidth(_options.WindowAckSize);
        session.Replies.SetChunkSize(_options.OutgoingChunkSize);
        session.Replies.CommandResult(
            "_result",
            transactionId,
            new Dictionary<string, object?> { ["fmsVer"] = "FMS/3,5,7,7009", ["capabilities"] = 31.0, ["mode"] = 1.0 },
            new Dictionary<string, object?>
            {
                ["level"] = "status",
                ["code"] = "NetConnection.Connect.Success",
                ["description"] = "Connection succeeded.",
                ["objectEncoding"] = 0.0,
            });
        RtmpLog.Connected(session.Logger, session.SessionId, app);
    }

    /// <summary>Checks the request here; the stream's answer is awaited by the connection loop (<see cref="RtmpSessionContext.PendingPublish"/>), which reads nothing else meanwhile.</summary>
    private void Publish(RtmpSessionContext session, string? streamKey, uint messageStreamId)
    {
        if (session.App is null)
        {
            throw new RtmpProtocolException("publish before connect.");
        }

        if (session.Publisher is not null || session.PendingPublish is not null)
        {
            throw new RtmpProtocolException("publish while already publishing on this connection.");
        }

        var key = (streamKey ?? "").Split('?', 2)[0];
        session.PendingPublish = CompletePublishAsync(session, key, messageStreamId);
    }

    private async Task CompletePublishAsync(RtmpSessionContext session, string key, uint messageStreamId)
    {
        var attempt = await _registry.PublishAsync(key, session.SessionId, session.Remote, session.Link).ConfigureAwait(false);
        if (attempt.Publisher is not { } publisher)
        {
            var name = attempt.ShownName;
            var reason = attempt.RefusalReason(_registry.MaxStreamNameLength);
            RtmpLog.PublishRefused(session.Logger, name, session.SessionId, reason);
            session.Replies.OnStatus(messageStreamId, "error", "NetStream.Publish.BadName", reason);
            session.RequestClose($"publish refused: {reason}");
            return;
        }

        session.Publisher = publisher;
        publisher.OnKick(session.Kick);
        session.Replies.StreamBegin(messageStreamId);
        session.Replies.OnStatus(messageStreamId, "status", "NetStream.Publish.Start", $"{publisher.Stream.Name} is now published.");
        if (attempt.Result == PublishResult.Resumed)
        {
            RtmpLog.PublishResumed(session.Logger, publisher.Stream.Name, publisher.Stream.SessionId, session.SessionId, session.Remote);
        }
        else
        {
            RtmpLog.PublishStarted(session.Logger, publisher.Stream.Name, publisher.Stream.SessionId, session.SessionId, session.Remote);
        }
    }
}
