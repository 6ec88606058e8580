using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using OnAir.WebRtc.Dtls;
using OnAir.WebRtc.Ice;
using OnAir.WebRtc.Sdp;

namespace OnAir.WebRtc;

/// <summary>
/// One UDP socket for every WebRTC session (ICE-lite, so the server only answers): a single loop
/// reads each datagram and routes it by its first byte (RFC 7983): STUN to the session its USERNAME
/// names (then that peer's address is the session's), DTLS and SRTP to the session of the sender's
/// address. Sessions are opened from HTTP requests (WHIP) and live on this loop from then on.
/// </summary>
public sealed class WebRtcEndpoint : IAsyncDisposable
{
    private const int MaxDatagram = 2048;
    private static readonly TimeSpan s_tick = TimeSpan.FromMilliseconds(100);

    private readonly WebRtcOptions _options;
    private readonly TimeProvider _time;
    private readonly Socket _socket;
    private readonly IPEndPoint _candidate;
    private readonly ConcurrentDictionary<string, WebRtcSession> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<SocketAddress, WebRtcSession> _byAddress = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<(WebRtcSession Session, string Reason)> _closing = new();
    private Thread? _loop;
    private long _nextSessionId = Environment.TickCount64;
    private WebRtcSession? _current;
    private int _disposed;

    /// <exception cref="SocketException">The port cannot be bound.</exception>
    public WebRtcEndpoint(IPEndPoint bind, WebRtcOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        Identity = DtlsIdentity.Create();
        _socket = new Socket(bind.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(bind);
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        var address = options.CandidateAddress is { Length: > 0 } configured ? IPAddress.Parse(configured)
            : bind.Address.Equals(IPAddress.Any) || bind.Address.Equals(IPAddress.IPv6Any) ? IPAddress.Loopback : bind.Address;
        _candidate = new IPEndPoint(address, LocalEndPoint.Port);
    }

    public IPEndPoint LocalEndPoint { get; }

    public DtlsIdentity Identity { get; }

    public int SessionCount => _byUfrag.Count;

    public void Start()
    {
        _loop = new Thread(Run) { IsBackground = true, Name = "webrtc-udp" };
        _loop.Start();
    }

    /// <summary>Opens a session for <paramref name="offer"/>; its answer SDP. Media goes to <paramref name="sink"/>.</summary>
    public WebRtcSession Open(SdpOffer offer, Negotiation negotiation, IWebRtcSink sink, out string answer)
    {
        var session = new WebRtcSession(offer, negotiation, Identity, sink, _options, _candidate, _time, Send);
        _byUfrag[session.LocalUfrag] = session;
        answer = negotiation.Answer(offer, session.LocalUfrag, session.LocalPassword, Identity.Fingerprint, _candidate, Interlocked.Increment(ref _nextSessionId));
        return session;
    }

    /// <summary>Ends <paramref name="session"/> (a WHIP DELETE, a kick); the sink hears why.</summary>
    public void Close(WebRtcSession session, string reason) => _closing.Enqueue((session, reason));

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _loop?.Join(TimeSpan.FromSeconds(2));
        _socket.Dispose();

        foreach (var session in _byUfrag.Values)
        {
            session.Close("the server is stopping");
        }

        _stop.Dispose();
    }

    /// <summary>The socket thread: reads while datagrams wait, else polls up to a tick; ticks every 100 ms.</summary>
    private void Run()
    {
        var buffer = new byte[MaxDatagram];
        var scratch = new byte[256];
        var from = new SocketAddress(_socket.AddressFamily);
        var nextTick = _time.GetTimestamp();
        var tickMicroseconds = (int)(s_tick.TotalMilliseconds * 1000);
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (_socket.Available > 0 || _socket.Poll(tickMicroseconds, SelectMode.SelectRead))
                {
                    var received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                    if (received > 0)
                    {
                        _current = null;
                        Route(buffer.AsSpan(0, received), from, scratch);
                    }
                }
            }
            catch (SocketException)
            {
                // ICMP port unreachable from a peer that left, reported on the next read
            }
            catch (ObjectDisposedException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bug in one session's handling closes that session only, never the loop the others share;
                // outside a session (a datagram no session took) the datagram is dropped.
                if (_current is { } failed)
                {
                    Remove(failed, $"an unexpected failure: {ex.GetType().Name}: {ex.Message}");
                }
            }

            var now = _time.GetTimestamp();
            if (now >= nextTick)
            {
                nextTick = now + (long)(s_tick.TotalSeconds * _time.TimestampFrequency);
                Tick(now);
            }
        }
    }

    private void Route(Span<byte> datagram, SocketAddress from, Span<byte> scratch)
    {
        if (Stun.Looks(datagram))
        {
            if (!Stun.TryReadBindingRequest(datagram, out var username, out var integrityOffset, out _))
            {
                return; // not a Binding request (indications, keepalives, garbage): nothing to answer
            }

            var colon = username.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !_byUfrag.TryGetValue(username[..colon], out var target) || !target.CheckIntegrity(datagram, integrityOffset))
            {
                return; // not ours, or not from the peer that has the password: no answer at all
            }

            var previous = target.Remote;
            var endPoint = (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(from);
            _current = target;
            target.OnConnectivityCheck(datagram, from, endPoint, scratch);
            if (previous is not null && !previous.Equals(target.Remote))
            {
                _byAddress.TryRemove(KeyValuePair.Create(previous, target)); // only this session's mapping: another may own it now
            }

            if (target.Remote is { } remote)
            {
                _byAddress[remote] = target; // every valid check re-maps: the address may have been another session's
            }

            return;
        }

        if (!_byAddress.TryGetValue(from, out var session) || session.Closed)
        {
            return;
        }

        _current = session;
        if (WebRtcSession.IsDtls(datagram))
        {
            session.OnDtls(datagram);
        }
        else if (WebRtcSession.IsRtp(datagram))
        {
            session.OnSrtp(datagram);
        }
    }

    /// <summary>Runs one session's handling; a bug in it closes that session only, never the loop the others share.</summary>
    private void Guarded(WebRtcSession session, Action step)
    {
        try
        {
            step();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            Remove(session, $"an unexpected failure: {ex.GetType().Name}: {ex.Message}");
        }
    }

    private void Tick(long now)
    {
        while (_closing.TryDequeue(out var request))
        {
            Remove(request.Session, request.Reason);
        }

        foreach (var session in _byUfrag.Values)
        {
            if (session.Closed)
            {
                Remove(session, "closed");
            }
            else
            {
                string? reason = null;
                Guarded(session, () => reason = session.Tick(now));
                if (reason is not null)
                {
                    Remove(session, reason);
                }
            }
        }
    }

    private void Remove(WebRtcSession session, string reason)
    {
        _byUfrag.TryRemove(session.LocalUfrag, out _);
        if (session.Remote is { } remote)
        {
            _byAddress.TryRemove(KeyValuePair.Create(remote, session));
        }

        session.Close(reason);
        session.Release();
    }

    private void Send(WebRtcSession session, ReadOnlyMemory<byte> datagram)
    {
        if (session.Remote is not { } remote)
        {
            return;
        }

        try
        {
            _socket.SendTo(datagram.Span, SocketFlags.None, remote);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // the peer is gone or the server is stopping: its session times out
        }
    }
}
