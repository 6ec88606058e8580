using System.Net;
using System.Security.Cryptography;
using System.Text;
using OnAir.Media;
using OnAir.WebRtc.Dtls;
using OnAir.WebRtc.Ice;
using OnAir.WebRtc.Rtp;
using OnAir.WebRtc.Sdp;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace OnAir.WebRtc;

/// <summary>
/// One receive-only WebRTC peer: ICE-lite answers to its connectivity checks, the DTLS-SRTP handshake
/// (on a thread of its own: BouncyCastle's is blocking), then SRTP in, depacketized to frames, and
/// RTCP feedback out (receiver reports, NACK for lost packets, PLI for keyframes). Everything but the
/// handshake runs on the <see cref="WebRtcEndpoint"/>'s socket thread.
/// </summary>
public sealed class WebRtcSession
{
    private static readonly TimeSpan s_keyFrameRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_reportInterval = TimeSpan.FromSeconds(1);
    private const byte DtlsAlert = 21;
    private static readonly TimeSpan s_handshakeLinger = TimeSpan.FromSeconds(10);

    private readonly SdpOffer _offer;
    private readonly Negotiation _negotiation;
    private readonly DtlsIdentity _identity;
    private readonly IWebRtcSink _sink;
    private readonly TimeProvider _time;
    private readonly WebRtcOptions _options;
    private readonly IPEndPoint _candidate;
    private readonly Action<WebRtcSession, ReadOnlyMemory<byte>> _send;
    private readonly byte[] _icePassword;
    private readonly QueuedDatagramTransport _dtls;
    private readonly H264Depacketizer _video = new();
    private readonly RtpReorderBuffer _videoOrder;
    private readonly List<ushort> _missing = [];
    private readonly byte[] _rtcp = new byte[512];
    private readonly byte[] _srtcp = new byte[512 + 14];
    private readonly uint _ownSsrc = (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
    private readonly long _openedAt;
    private SrtpSession? _srtp;
    private Thread? _handshake;
    private uint _videoSsrc;
    private uint _audioSsrc;
    private long _videoBase = long.MinValue;
    private long _audioBase = long.MinValue;
    private long _lastPacketAt;
    private long _lastKeyFrameRequest;
    private long _lastPeriodicKeyFrame;
    private long _lastReport;
    private int _closed;
    private volatile bool _handshakeDone;
    private volatile bool _peerClosed;
    private long _audioUnwrapped;
    private uint _lastAudioTimestamp;

    internal WebRtcSession(SdpOffer offer, Negotiation negotiation, DtlsIdentity identity, IWebRtcSink sink, WebRtcOptions options, IPEndPoint candidate, TimeProvider time, Action<WebRtcSession, ReadOnlyMemory<byte>> send)
    {
        _candidate = candidate;
        _offer = offer;
        _negotiation = negotiation;
        _identity = identity;
        _sink = sink;
        _options = options;
        _time = time;
        _send = send;
        _videoOrder = new RtpReorderBuffer(time);
        LocalUfrag = RandomToken(8);
        LocalPassword = RandomToken(24);
        _icePassword = Encoding.UTF8.GetBytes(LocalPassword);
        _dtls = new QueuedDatagramTransport(datagram => _send(this, datagram));
        _openedAt = _lastPacketAt = time.GetTimestamp();
        Id = RandomToken(16);
    }

    /// <summary>The session's id in its WHIP resource URL.</summary>
    public string Id { get; }

    public string LocalUfrag { get; }

    public string LocalPassword { get; }

    /// <summary>The peer's address, once a connectivity check from it was valid.</summary>
    public SocketAddress? Remote { get; private set; }

    /// <summary>Connected: ICE checked and DTLS done; media flows from here.</summary>
    public bool Secured => Volatile.Read(ref _srtp) is not null;

    public bool Closed => Volatile.Read(ref _closed) != 0;

    /// <summary>The peer sent a DTLS alert after the handshake: it closed the connection (a browser's pc.close()).</summary>
    internal bool PeerClosed
    {
        get => _peerClosed;
        private set => _peerClosed = value;
    }

    /// <summary>Video access units dropped (loss, or waiting for a keyframe) and RTP packets given up on.</summary>
    public long DroppedFrames => _video.Dropped;

    public long LostPackets => _videoOrder.Lost;

    /// <summary>A Binding request from <paramref name="from"/> already checked against our password: answer it, and learn the peer's address.</summary>
    internal void OnConnectivityCheck(ReadOnlySpan<byte> request, SocketAddress from, IPEndPoint fromEndPoint, Span<byte> scratch)
    {
        var length = Stun.WriteBindingSuccess(scratch, request, fromEndPoint, _icePassword);
        if (Remote is null || !Remote.Equals(from))
        {
            var address = new SocketAddress(from.Family, from.Size);
            from.Buffer.Span[..from.Size].CopyTo(address.Buffer.Span);
            Remote = address;
        }

        _send(this, scratch[..length].ToArray());
    }

    internal bool CheckIntegrity(ReadOnlySpan<byte> request, int integrityOffset) => Stun.IntegrityHolds(request, integrityOffset, _icePassword);

    internal void OnDtls(ReadOnlySpan<byte> datagram)
    {
        _lastPacketAt = _time.GetTimestamp();
        if (_handshakeDone && datagram[0] == DtlsAlert)
        {
            // Once the handshake thread has stopped reading, an alert record (its content is encrypted) from the
            // checked address is the peer closing: WebRTC peers send no other alert on a working connection.
            PeerClosed = true;
            return;
        }

        _dtls.Deliver(datagram);
        if (_handshake is null && !Closed)
        {
            _handshake = new Thread(Handshake) { IsBackground = true, Name = "dtls-handshake" };
            _handshake.Start();
        }
    }

    internal void OnSrtp(Span<byte> datagram)
    {
        if (Volatile.Read(ref _srtp) is not { } srtp || RtpPacket.LooksLikeRtcp(datagram))
        {
            return; // before the keys, or the peer's RTCP (sender reports): not needed to ingest
        }

        var length = srtp.UnprotectRtp(datagram);
        if (length < 0 || !RtpPacket.TryParse(datagram[..length], out var packet))
        {
            return;
        }

        _lastPacketAt = _time.GetTimestamp();
        if (packet.PayloadType == _negotiation.VideoPayloadType)
        {
            _videoSsrc = packet.Ssrc;
            if (_videoBase == long.MinValue)
            {
                _videoBase = SessionTicks(_lastPacketAt);
            }

            _missing.Clear();
            _videoOrder.Push(packet.Sequence, datagram[..length], _missing, DeliverVideo);
            if (_missing.Count > 0)
            {
                SendFeedback(RtcpWriter.Nack(_rtcp.AsSpan(32), _ownSsrc, _videoSsrc, _missing));
            }
        }
        else if (packet.PayloadType == _negotiation.AudioPayloadType && packet.Payload.Length > 0)
        {
            _audioSsrc = packet.Ssrc;
            if (_audioBase == long.MinValue)
            {
                _audioBase = SessionTicks(_lastPacketAt);
                _lastAudioTimestamp = packet.Timestamp;
            }

            // Opus RTP runs at 48 kHz: unwrapped past 32 bits (12 hours), to 90 kHz ticks on the session clock.
            _audioUnwrapped += (int)(packet.Timestamp - _lastAudioTimestamp);
            _lastAudioTimestamp = packet.Timestamp;
            var pts = _audioBase + (_audioUnwrapped * 90_000 / 48_000);
            _sink.OnOpus(packet.Payload, pts);
        }
    }

    /// <summary>Every 100 ms from the endpoint: losses given up on, keyframe requests, receiver reports, timeouts.</summary>
    internal string? Tick(long now)
    {
        if (!Secured)
        {
            return _time.GetElapsedTime(_openedAt, now) > _options.ConnectTimeout
                ? $"no ICE and DTLS connection within {_options.ConnectTimeout.TotalSeconds:0} s (webrtc.connectTimeoutSeconds): the peer could not reach UDP {_candidate}"
                : null;
        }

        if (PeerClosed)
        {
            return "the peer closed the connection (DTLS close_notify)";
        }

        if (_time.GetElapsedTime(_lastPacketAt, now) > _options.IdleTimeout)
        {
            return $"no media for {_options.IdleTimeout.TotalSeconds:0} s (webrtc.idleTimeoutSeconds)";
        }

        _videoOrder.Expire(DeliverVideo);
        if (_videoSsrc != 0)
        {
            var keyFrameDue = (_video.NeedsKeyFrame && _time.GetElapsedTime(_lastKeyFrameRequest, now) > s_keyFrameRetry)
                || _time.GetElapsedTime(_lastPeriodicKeyFrame, now) > _options.KeyFrameInterval;
            if (keyFrameDue)
            {
                _lastKeyFrameRequest = _lastPeriodicKeyFrame = now;
                SendFeedback(RtcpWriter.PictureLoss(_rtcp.AsSpan(32), _ownSsrc, _videoSsrc));
            }
            else if (_time.GetElapsedTime(_lastReport, now) > s_reportInterval)
            {
                _lastReport = now;
                SendFeedback(0);
            }
        }

        return null;
    }

    /// <summary>Stops the session; the sink hears <paramref name="reason"/> once.</summary>
    internal void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _dtls.Close();
        _sink.OnClosed(reason);
    }

    /// <summary>Frees the SRTP keys' ciphers and the video frames' arena; on the socket thread, after <see cref="Close"/>, when nothing reads them any more.</summary>
    internal void Release()
    {
        Interlocked.Exchange(ref _srtp, null)?.Dispose();
        _video.Dispose();
    }

    internal static bool IsDtls(ReadOnlySpan<byte> datagram) => datagram.Length > 13 && datagram[0] is >= 20 and <= 63;

    internal static bool IsRtp(ReadOnlySpan<byte> datagram) => datagram.Length >= 12 && datagram[0] is >= 128 and <= 191;

    private void DeliverVideo(ReadOnlySpan<byte> rtp, bool lossBefore)
    {
        if (!RtpPacket.TryParse(rtp, out var packet))
        {
            return;
        }

        if (_video.Push(packet.Payload, packet.Timestamp, packet.Marker, lossBefore) is { } frame)
        {
            frame.ShiftTimestamps(_videoBase);
            _sink.OnVideo(frame);
        }
    }

    /// <summary>A receiver report, then the feedback of <paramref name="feedbackLength"/> bytes already written at offset 32, as one SRTCP packet.</summary>
    private void SendFeedback(int feedbackLength)
    {
        if (Volatile.Read(ref _srtp) is not { } srtp || Remote is null)
        {
            return;
        }

        RtcpWriter.ReceiverReportFor(_rtcp, _ownSsrc, _videoSsrc, _videoOrder.Lost, _videoOrder.Highest);
        var length = srtp.ProtectRtcp(_rtcp.AsSpan(0, 32 + feedbackLength), _srtcp);
        _send(this, _srtcp.AsSpan(0, length).ToArray());
    }

    private void Handshake()
    {
        try
        {
            var server = new SrtpDtlsServer(new BcTlsCrypto(new SecureRandom()), _identity, _offer.Fingerprint);
            var transport = new DtlsServerProtocol().Accept(server, _dtls);
            Volatile.Write(ref _srtp, SrtpSession.FromDtlsServer(server.KeyingMaterial!));

            // Reading on a while is what makes BouncyCastle send our last flight again if it was lost (the peer then
            // repeats its Finished), and what reads a close_notify; after that, an alert record is taken as one.
            var buffer = new byte[transport.GetReceiveLimit()];
            var until = _time.GetTimestamp() + (long)(s_handshakeLinger.TotalSeconds * _time.TimestampFrequency);
            while (!Closed && _time.GetTimestamp() < until)
            {
                if (transport.Receive(buffer, 0, buffer.Length, 500) < 0 && Closed)
                {
                    break;
                }
            }

            _handshakeDone = true;
        }
        catch (TlsFatalAlertReceived ex) when (ex.AlertDescription == AlertDescription.close_notify && Secured)
        {
            PeerClosed = true;
        }
        catch (TlsNoCloseNotifyException) when (Secured)
        {
            PeerClosed = true;
        }
        catch (Exception ex) when (ex is TlsFatalAlert or TlsFatalAlertReceived or TlsTimeoutException or IOException)
        {
            if (!Secured)
            {
                Close($"the DTLS handshake failed: {ex.Message}");
            }
        }
    }

    private long SessionTicks(long timestamp) => MediaTime.FromSeconds(_time.GetElapsedTime(_openedAt, timestamp).TotalSeconds);

    private static string RandomToken(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }
}
