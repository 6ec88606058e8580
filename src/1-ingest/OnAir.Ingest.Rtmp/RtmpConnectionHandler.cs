using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Streams;
using OnAir.Streams.Diagnostics;

namespace OnAir.Ingest.Rtmp;

/// <summary>Kestrel entry point for RTMP: Kestrel owns sockets, buffers and backpressure; each connection runs an <see cref="RtmpConnection"/>.</summary>
public sealed class RtmpConnectionHandler : ConnectionHandler
{
    private static readonly PlainIngestLink s_rtmps = new("rtmps");

    private readonly RtmpOptions _options;
    private readonly CommandHandler _commands;
    private readonly ILogger<RtmpConnectionHandler> _logger;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly TimeProvider _time;
    private readonly RtmpHeartbeat _heartbeat;
    private readonly RtmpMetrics _metrics;
    private readonly RepeatedWarning _closeWarnings;

    public RtmpConnectionHandler(IOptions<RtmpOptions> options, StreamRegistry registry, ILogger<RtmpConnectionHandler> logger, IHostApplicationLifetime lifetime, TimeProvider time, RtmpMetrics metrics)
    {
        _metrics = metrics;
        _options = options.Value;
        _commands = new CommandHandler(registry, _options);
        _logger = logger;
        _lifetime = lifetime;
        _time = time;
        _heartbeat = new RtmpHeartbeat(time);
        _closeWarnings = new RepeatedWarning(time, (count, interval) => RtmpLog.ClosesSuppressed(logger, count, interval.TotalSeconds));
        lifetime.ApplicationStopped.Register(_heartbeat.Dispose);
        lifetime.ApplicationStopped.Register(_closeWarnings.Dispose);
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var remote = connection.RemoteEndPoint?.ToString();
        RtmpLog.Accepted(_logger, connection.ConnectionId, remote);
        var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
        var batching = socket is not null && _options.ReceiveBatchMilliseconds > 0 ? new ReceiveBatching(socket, _options.ReceiveBatchMilliseconds, _time) : null;
        var link = connection.Features.Get<ITlsHandshakeFeature>() is null ? PlainIngestLink.Rtmp : s_rtmps;
        var session = new RtmpConnection(connection.Transport, connection.ConnectionId, remote, _options, _commands, _time, _logger, batching, _metrics, link, _closeWarnings);
        _heartbeat.Add(session);
        _metrics.Opened();
        try
        {
            // Not linked to connection.ConnectionClosed: that fires when the publisher half-closes, and
            // cancelling the read then would drop the frames it sent last that were not read yet. The
            // input pipe itself ends after the last byte (FIN) or fails (reset).
            await session.RunAsync(_lifetime.ApplicationStopping).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A bug in one connection's handling must not take the listener or other streams down.
            RtmpLog.Unexpected(_logger, ex, connection.ConnectionId);
        }
        finally
        {
            _heartbeat.Remove(session);
            _metrics.Closed();
        }
    }
}
