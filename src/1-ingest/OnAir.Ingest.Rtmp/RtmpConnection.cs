using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Handshake;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Media;

using OnAir.Streams;
using OnAir.Streams.Diagnostics;

namespace OnAir.Ingest.Rtmp;

/// <summary>
/// One RTMP connection: the handshake, then a single loop that parses chunks synchronously out of
/// the pipe and dispatches each complete message by type id. Every failure ends only this
/// connection, with the reason logged; the publisher's stream ends with it.
/// </summary>
internal sealed class RtmpConnection
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly RtmpOptions _options;
    private readonly CommandHandler _commands;
    private readonly RtmpSessionContext _session;
    private readonly ChunkReader _chunks;
    private long _bytesReceived;
    private long _bytesAtLastAck;
    private uint _peerAckWindow;

    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _aborted = new();
    private string? _abortReason;
    private long _lastActivity;
    private TimeSpan _allowedSilence;

    private readonly ReceiveBatching? _batching;
    private readonly RtmpMetrics? _metrics;

    public RtmpConnection(IDuplexPipe transport, string sessionId, string? remote, RtmpOptions options, CommandHandler commands, TimeProvider time, ILogger logger, ReceiveBatching? batching = null, RtmpMetrics? metrics = null, IIngestLink? link = null, RepeatedWarning? closeWarnings = null)
    {
        _metrics = metrics;
        _batching = batching;
        _time = time;
        _lastActivity = time.GetTimestamp();
        _allowedSilence = options.HandshakeTimeout;
        _input = transport.Input;
        _output = transport.Output;
        _options = options;
        _commands = commands;
        _chunks = new ChunkReader(options);
        _session = new RtmpSessionContext(sessionId, remote, new RtmpReplies(_output), logger) { Link = link ?? PlainIngestLink.Rtmp, CloseWarnings = closeWarnings, Kick = reason => Abort("the stream was ended: " + reason) };
    }

    public async Task RunAsync(CancellationToken shutdown)
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(shutdown, _aborted.Token);
        try
        {
            if (!await HandshakeAsync(cancellation.Token).ConfigureAwait(false))
            {
                return;
            }

            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
            _allowedSilence = _options.IdleTimeout;
            await ReadMessagesAsync(cancellation.Token, shutdown).ConfigureAwait(false);
        }
        catch (RtmpProtocolException ex)
        {
            _session.LogClosed(ex.Message);
        }
        catch (InvalidMediaException ex)
        {
            _session.LogClosed("malformed media: " + ex.Message);
        }
        catch (OperationCanceledException) when (!shutdown.IsCancellationRequested)
        {
            _session.LogClosed(Volatile.Read(ref _abortReason) ?? "aborted");
        }
        catch (OperationCanceledException)
        {
            // server shutdown
        }
        catch (Exception ex) when (ex is IOException or ConnectionAbortedException or ConnectionResetException)
        {
            RtmpLog.Closed(_session.Logger, _session.SessionId);
        }
        finally
        {
            _session.StopPublishing(unpublished: false);
            _session.Media.Dispose();
            _chunks.Dispose();
            _aborted.Dispose();
        }
    }

    /// <summary>Once a second (the shared heartbeat timer): closes a stalled connection, and batches a publisher's reads by its bitrate.</summary>
    internal void OnHeartbeat(long now)
    {
        CloseIfStalled(now);
        if (_batching is null)
        {
            return;
        }

        if (_session.Publisher is not null)
        {
            _batching.Adapt(Volatile.Read(ref _bytesReceived), now);
        }
        else
        {
            _batching.Reset(); // commands, not media: each answered at once
        }
    }

    /// <summary>Cancels the connection's reads when the peer has been silent too long.</summary>
    private void CloseIfStalled(long now)
    {
        if (_time.GetElapsedTime(Volatile.Read(ref _lastActivity), now) > _allowedSilence)
        {
            Abort("the peer stalled: no data within the handshake or idle timeout (rtmp.handshakeTimeoutSeconds / rtmp.idleTimeoutSeconds)");
        }
    }

    /// <summary>Ends the connection from another thread (heartbeat, stream actor): its pending read is cancelled.</summary>
    private void Abort(string reason)
    {
        Interlocked.CompareExchange(ref _abortReason, reason, null);
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // the connection ended meanwhile
        }
    }

    private async Task<bool> HandshakeAsync(CancellationToken cancellationToken)
    {
        var c0c1 = new byte[HandshakeResponder.C0C1Length];
        if (!await ReadExactlyAsync(c0c1, cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var response = _output.GetSpan(HandshakeResponder.ResponseLength)[..HandshakeResponder.ResponseLength];
        var digest = HandshakeResponder.WriteResponse(c0c1, response);
        _output.Advance(HandshakeResponder.ResponseLength);
        await _output.FlushAsync(cancellationToken).ConfigureAwait(false);

        if (!await ReadExactlyAsync(new byte[HandshakeResponder.C2Length], cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        RtmpLog.HandshakeDone(_session.Logger, _session.SessionId, digest ? "digest" : "plain");
        return true;
    }

    private async Task<bool> ReadExactlyAsync(byte[] destination, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            if (buffer.Length >= destination.Length)
            {
                buffer.Slice(0, destination.Length).CopyTo(destination);
                _input.AdvanceTo(buffer.GetPosition(destination.Length));
                _bytesReceived += destination.Length;
                return true;
            }

            _input.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                if (buffer.Length > 0)
                {
                    throw new RtmpProtocolException($"handshake truncated after {buffer.Length} of {destination.Length} bytes.");
                }

                return false;
            }
        }
    }

    private async Task ReadMessagesAsync(CancellationToken cancellationToken, CancellationToken shutdown)
    {
        while (true)
        {
            var result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastActivity, _time.GetTimestamp());
            var buffer = result.Buffer;
            var before = buffer.Length;
            try
            {
                while (_session.CloseReason is null && _session.PendingPublish is null && _chunks.TryReadMessage(ref buffer, out var message))
                {
                    try
                    {
                        Dispatch(message);
                    }
                    finally
                    {
                        message.Return();
                    }
                }
            }
            finally
            {
                // While a publish is pending the rest of the buffer is left unexamined, so the next read returns it at once.
                _input.AdvanceTo(buffer.Start, _session.PendingPublish is null ? buffer.End : buffer.Start);
            }

            var publishAnswered = false;
            if (_session.PendingPublish is { } publish)
            {
                _session.PendingPublish = null;
                await publish.ConfigureAwait(false);
                publishAnswered = true;
            }

            _bytesReceived += before - buffer.Length;
            _metrics?.Received(before - buffer.Length);
            AcknowledgeIfDue();
            if (_output.UnflushedBytes > 0)
            {
                // Most reads carry only media and produce no reply: no flush, no wake-up of the sender.
                await _output.FlushAsync(shutdown).ConfigureAwait(false);
            }

            if (_session.CloseReason is { } reason)
            {
                _session.LogClosed(reason);
                return;
            }

            if (result.IsCompleted && !publishAnswered)
            {
                if (!buffer.IsEmpty)
                {
                    throw new RtmpProtocolException($"connection closed in the middle of a chunk ({buffer.Length} bytes left unparsed).");
                }

                RtmpLog.Closed(_session.Logger, _session.SessionId);
                return;
            }
        }
    }

    private void Dispatch(in RtmpMessage message)
    {
        if (ProtocolControlHandler.ApplyToReader(_chunks, message))
        {
            return;
        }

        switch (message.TypeId)
        {
            case RtmpMessageType.WindowAckSize:
                _peerAckWindow = ProtocolControlHandler.WindowAckSize(message.Payload);
                break;
            case RtmpMessageType.UserControl:
                ProtocolControlHandler.UserControl(_session, message.Payload);
                break;
            case RtmpMessageType.Audio:
            case RtmpMessageType.Video:
                MediaHandler.HandleMedia(_session, message.TypeId, message.PayloadSequence, message.Timestamp);
                break;
            case RtmpMessageType.Aggregate:
                MediaHandler.HandleAggregate(_session, message.PayloadSequence, message.Timestamp);
                break;
            case RtmpMessageType.CommandAmf0:
                _commands.Handle(_session, message.Payload, message.StreamId);
                break;
            case RtmpMessageType.CommandAmf3:
                _commands.Handle(_session, SkipAmf3Marker(message.Payload), message.StreamId);
                break;
            case RtmpMessageType.DataAmf0:
                DataHandler.Handle(_session, message.Payload, _options.MaxAmfDepth);
                break;
            case RtmpMessageType.DataAmf3:
                DataHandler.Handle(_session, SkipAmf3Marker(message.Payload), _options.MaxAmfDepth);
                break;
            default:
                break; // Acknowledgement, Set Peer Bandwidth, shared objects: nothing to do for a publisher
        }
    }

    /// <summary>AMF3 command/data messages carry a format byte, then (from encoders) plain AMF0.</summary>
    private static ReadOnlySpan<byte> SkipAmf3Marker(ReadOnlySpan<byte> payload) => payload.IsEmpty ? payload : payload[1..];

    private void AcknowledgeIfDue()
    {
        if (_peerAckWindow == 0 || _bytesReceived - _bytesAtLastAck < _peerAckWindow)
        {
            return;
        }

        _bytesAtLastAck = _bytesReceived;
        _session.Replies.Acknowledgement((uint)_bytesReceived);
    }
}
