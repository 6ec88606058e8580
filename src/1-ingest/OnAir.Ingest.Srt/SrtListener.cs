using System.Collections.Concurrent;
using System.Net;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Ingest.Srt.Native;
using OnAir.Streams;
using OnAir.Streams.Diagnostics;

namespace OnAir.Ingest.Srt;

/// <summary>Where the SRT listener binds (--bind and --srt-port).</summary>
public sealed record SrtEndPoint(IPEndPoint EndPoint);

/// <summary>
/// SRT ingest in listener mode: one thread waits on one libsrt epoll set for every socket (the
/// listener and each publisher), reads what is ready, and pushes it through each connection's
/// MPEG-TS demuxer into its stream. That thread owns every connection; the stream's answers to a
/// publish, and kicks from the API, reach it as commands on a queue, as RTMP's come to its loop.
/// </summary>
public sealed class SrtListener : IHostedService, IDisposable
{
    /// <summary>SRT's live-mode payload is at most 1456 bytes (MTU 1500 minus UDP and SRT headers).</summary>
    private const int MaxMessageBytes = 1456;
    private const int WaitMilliseconds = 100;
    private const int Backlog = 64;
    private const int RejectBadRequest = 1400;
    private const int RejectOverload = 1402;
    private const int RejectBadMode = 1405;

    private readonly SrtOptions _options;
    private readonly IPEndPoint _endPoint;
    private readonly StreamRegistry _registry;
    private readonly SrtMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<SrtListener> _logger;
    private readonly ConcurrentQueue<Command> _commands = new();
    private readonly Dictionary<int, SrtConnection> _connections = [];
    private SrtSocket? _listener;
    private SrtEpoll? _epoll;
    private GCHandle _self;
    private Thread? _thread;
    private volatile bool _stopping;
    private int _connectionCount;
    private readonly RepeatedWarning _rejections; // a flood of callers logs a count per interval, not a line each
    private readonly RepeatedWarning _closes;

    public SrtListener(IOptions<SrtOptions> options, SrtEndPoint endPoint, StreamRegistry registry, SrtMetrics metrics, TimeProvider time, ILogger<SrtListener> logger)
    {
        _options = options.Value;
        _endPoint = endPoint.EndPoint;
        _registry = registry;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _rejections = new RepeatedWarning(time, (count, interval) => SrtLog.RejectionsSuppressed(logger, count, interval.TotalSeconds));
        _closes = new RepeatedWarning(time, (count, interval) => SrtLog.ClosesSuppressed(logger, count, interval.TotalSeconds));
    }

    /// <summary>The bound address (the port chosen when 0 was asked); null before start.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <exception cref="SrtException">libsrt is missing, or the port cannot be bound: the server does not start, saying which.</exception>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (LibSrt.TryLoad() is { } missing)
        {
            throw new SrtException($"SRT ingest cannot start: {missing} (or turn SRT off with --srt-port 0)");
        }

        SrtNativeLog.Attach(_logger);
        _listener = SrtSocket.Create();
        _listener.SetInt(SrtOption.ReceiveSynchronous, 0);
        _listener.SetInt(SrtOption.TransmissionType, 0); // live
        _listener.SetInt(SrtOption.Latency, _options.LatencyMilliseconds);
        _listener.SetInt(SrtOption.PeerIdleTimeout, (int)(_options.IdleTimeoutSeconds * 1000));
        if (!string.IsNullOrEmpty(_options.Passphrase))
        {
            _listener.SetString(SrtOption.Passphrase, _options.Passphrase);
        }

        try
        {
            _listener.Bind(_endPoint);
        }
        catch (SrtException ex)
        {
            throw new SrtException($"SRT ingest cannot listen on {_endPoint}: {ex.Message} (another server on that port? choose another with --srt-port, or 0 to turn SRT off)", ex);
        }

        _self = GCHandle.Alloc(this);
        unsafe
        {
            if (LibSrt.srt_listen_callback(_listener.Id, &OnListen, GCHandle.ToIntPtr(_self)) < 0)
            {
                throw SrtException.Last("srt_listen_callback");
            }
        }

        _listener.Listen(Backlog);
        _epoll = SrtEpoll.Create();
        _epoll.Add(_listener);
        LocalEndPoint = _listener.LocalEndPoint();
        _thread = new Thread(Run) { IsBackground = true, Name = "srt-ingest" };
        _thread.Start();
        SrtLog.Listening(_logger, LocalEndPoint.ToString(), _options.LatencyMilliseconds, string.IsNullOrEmpty(_options.Passphrase) ? "unencrypted" : "encrypted with the configured passphrase");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(5));
        return Task.CompletedTask;
    }

    private void LogRejected(string? remote, string reason)
    {
        if (_rejections.ShouldLog())
        {
            SrtLog.Rejected(_logger, remote, reason);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _thread?.Join(TimeSpan.FromSeconds(5)); // the thread uses the epoll set and the listener until it sees the flag
        SrtNativeLog.Detach(_logger);
        _rejections.Dispose();
        _closes.Dispose();
        _epoll?.Dispose();
        _listener?.Dispose();
        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    private void Run()
    {
        var ready = new SrtEpollEvent[64];
        var buffer = new byte[MaxMessageBytes];
        var nextSample = _time.GetTimestamp();
        while (!_stopping)
        {
            int count;
            try
            {
                count = _epoll!.Wait(ready, WaitMilliseconds);
            }
            catch (SrtException) when (_stopping)
            {
                break;
            }

            var now = _time.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                if (ready[i].Socket == _listener!.Id)
                {
                    AcceptPending(now);
                }
                else if (_connections.TryGetValue(ready[i].Socket, out var connection))
                {
                    Guarded(connection, () => connection.ReadAvailable(buffer, now));
                }
            }

            RunCommands(now);
            if (now >= nextSample)
            {
                nextSample = now + _time.TimestampFrequency;
                SampleAndExpire(now);
            }

            if (count > 0 && _options.ReceiveBatchMilliseconds > 0)
            {
                Thread.Sleep(_options.ReceiveBatchMilliseconds); // let more messages gather: one wake reads them all
            }
        }

        foreach (var connection in _connections.Values.ToList())
        {
            Close(connection, "the server is stopping", asError: false);
        }
    }

    /// <summary>Runs <paramref name="step"/> for one connection; its refusal, or a bug, closes that connection only.</summary>
    private void Guarded(SrtConnection connection, Func<string?> step)
    {
        try
        {
            if (step() is { } reason)
            {
                Close(connection, reason, asError: !reason.StartsWith("the connection ended", StringComparison.Ordinal));
            }
        }
        catch (Exception ex)
        {
            SrtLog.Unexpected(_logger, ex, connection.Id);
            Close(connection, "an unexpected failure (logged above)", asError: true);
        }
    }

    private void AcceptPending(long now)
    {
        while (true)
        {
            SrtSocket? socket;
            IPEndPoint? remote;
            try
            {
                socket = _listener!.Accept(out remote);
            }
            catch (SrtException ex)
            {
                LogRejected(null, ex.Message);
                return;
            }

            if (socket is null)
            {
                return;
            }

            string? key;
            string? error;
            try
            {
                key = SrtStreamId.KeyOf(socket.StreamId(), _options.App, out error);
            }
            catch (SrtException ex)
            {
                (key, error) = (null, ex.Message);
            }

            if (key is null)
            {
                LogRejected(remote?.ToString(), error!);
                socket.Dispose();
                continue;
            }

            var connection = new SrtConnection(socket, remote, key, now, _metrics, _options.LatencyMilliseconds);
            _connections[socket.Id] = connection;
            Volatile.Write(ref _connectionCount, _connections.Count);
            _metrics.Opened();
            SrtLog.Accepted(_logger, connection.Id, connection.Remote, key.Length);
            _ = PublishAsync(connection);
        }
    }

    private async Task PublishAsync(SrtConnection connection)
    {
        PublishAttempt attempt;
        try
        {
            attempt = await _registry.PublishAsync(connection.Key, connection.Id, connection.Remote, connection).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            SrtLog.Unexpected(_logger, ex, connection.Id);
            attempt = new PublishAttempt(PublishResult.Refused, null) { Reason = "the publish failed unexpectedly (logged)" };
        }

        _commands.Enqueue(new Published(connection, attempt));
    }

    private void RunCommands(long now)
    {
        while (_commands.TryDequeue(out var command))
        {
            switch (command)
            {
                case Published { Connection: var connection, Attempt: var attempt }:
                    OnPublished(connection, attempt, now);
                    break;
                case Kicked { Connection: var connection, Reason: var reason } when _connections.ContainsKey(connection.Socket.Id):
                    Close(connection, "the stream was ended: " + reason, asError: false);
                    break;
            }
        }
    }

    private void OnPublished(SrtConnection connection, PublishAttempt attempt, long now)
    {
        if (!_connections.ContainsKey(connection.Socket.Id))
        {
            attempt.Publisher?.Dispose(); // the caller left while the stream was deciding
            return;
        }

        if (attempt.Publisher is not { } publisher)
        {
            var reason = attempt.RefusalReason(_registry.MaxStreamNameLength);
            SrtLog.PublishRefused(_logger, attempt.ShownName, connection.Id, reason);
            _metrics.Rejected();
            Close(connection, "publish refused: " + reason, asError: false);
            return;
        }

        connection.Attach(publisher);
        Guarded(connection, () =>
        {
            _epoll!.Add(connection.Socket); // what arrived while the stream decided is read at the next wait
            return null;
        });
        if (!_connections.ContainsKey(connection.Socket.Id))
        {
            return; // the caller left while the stream decided: its socket could not be watched, and Guarded closed it
        }

        publisher.OnKick(reason => _commands.Enqueue(new Kicked(connection, reason)));
        if (attempt.Result == PublishResult.Resumed)
        {
            SrtLog.PublishResumed(_logger, publisher.Stream.Name, publisher.Stream.SessionId, connection.Id, connection.Remote);
        }
        else
        {
            SrtLog.PublishStarted(_logger, publisher.Stream.Name, publisher.Stream.SessionId, connection.Id, connection.Remote);
        }

        connection.Sample(now, _time);
    }

    private void SampleAndExpire(long now)
    {
        var idle = TimeSpan.FromSeconds(_options.IdleTimeoutSeconds);
        foreach (var connection in _connections.Values.ToList())
        {
            if (_time.GetElapsedTime(connection.LastMediaAt, now) > idle)
            {
                Close(connection, $"no media for {_options.IdleTimeoutSeconds:0.#} s (srt.idleTimeoutSeconds)", asError: true);
                continue;
            }

            if (connection.Publisher is not null)
            {
                Guarded(connection, () =>
                {
                    connection.Sample(now, _time);
                    return null;
                });
            }
        }
    }

    private void Close(SrtConnection connection, string reason, bool asError)
    {
        if (!_connections.Remove(connection.Socket.Id))
        {
            return;
        }

        Volatile.Write(ref _connectionCount, _connections.Count);
        _metrics.Closed();
        _epoll!.Remove(connection.Socket);
        if (asError)
        {
            if (_closes.ShouldLog())
            {
                SrtLog.Closed(_logger, connection.Id, connection.Remote, reason);
            }
        }

        if (connection.Publisher is { } publisher)
        {
            var stats = connection.Stats;
            SrtLog.PublishEnded(_logger, publisher.Stream.Name, connection.Id, reason, stats?.PacketsLost ?? 0, stats?.PacketsDropped ?? 0, stats?.RttMs ?? 0);
        }

        connection.Dispose();
    }

    /// <summary>libsrt's handshake hook (its receiver thread): refuses callers OnAir would close anyway, with an SRT reject code the caller sees.</summary>
    [UnmanagedCallersOnly]
    private static unsafe int OnListen(nint opaque, int socket, int handshakeVersion, byte* peer, byte* streamId)
    {
        try
        {
            var listener = (SrtListener)GCHandle.FromIntPtr(opaque).Target!;
            var (reason, code) = listener.Admit(Marshal.PtrToStringUTF8((nint)streamId) ?? "");
            if (reason is null)
            {
                return 0;
            }

            _ = LibSrt.srt_setrejectreason(socket, code);
            listener._metrics.Rejected();
            listener.LogRejected(PeerOf(peer)?.ToString(), reason);
            return -1;
        }
        catch
        {
            return -1; // an exception must not cross into libsrt
        }
    }

    private (string? Reason, int Code) Admit(string streamId)
    {
        if (Volatile.Read(ref _connectionCount) >= _options.MaxConnections)
        {
            return ($"the server has its maximum of {_options.MaxConnections} SRT connections (srt.maxConnections)", RejectOverload);
        }

        return SrtStreamId.KeyOf(streamId, _options.App, out var error) is null
            ? (error, error!.StartsWith("mode m=", StringComparison.Ordinal) ? RejectBadMode : RejectBadRequest)
            : (null, 0);
    }

    private static unsafe IPEndPoint? PeerOf(byte* sockaddr)
    {
        if (sockaddr is null)
        {
            return null;
        }

        var family = *(ushort*)sockaddr;
        return SrtSocket.EndPointOf(new ReadOnlySpan<byte>(sockaddr, family == 10 ? 28 : 16));
    }

    private abstract record Command;

    private sealed record Published(SrtConnection Connection, PublishAttempt Attempt) : Command;

    private sealed record Kicked(SrtConnection Connection, string Reason) : Command;
}
