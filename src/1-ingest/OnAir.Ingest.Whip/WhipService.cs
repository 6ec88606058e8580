using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Streams;
using OnAir.Streams.Diagnostics;
using OnAir.WebRtc;
using OnAir.WebRtc.Sdp;

namespace OnAir.Ingest.Whip;

/// <summary>Where WHIP media arrives (--bind and --webrtc-port) and the ffmpeg that makes AAC of Opus.</summary>
public sealed record WhipSettings(IPEndPoint EndPoint, string FfmpegPath);

/// <summary>What a WHIP POST gets: 201 with the answer and the session's resource, or an error status and why.</summary>
public sealed record WhipOutcome(int Status, string? Answer, string? SessionId, string? Error);

/// <summary>
/// WHIP ingest (RFC 9725): each POST's offer becomes a <see cref="WebRtcSession"/> on the one
/// <see cref="WebRtcEndpoint"/> and a publisher of the stream its key names; DELETE ends it. The
/// endpoint's socket is opened at start, so a port in use stops the server with a reason.
/// </summary>
public sealed class WhipService : IHostedService, IAsyncDisposable
{
    private static readonly PlainIngestLink s_webRtc = new("webrtc");

    private readonly WebRtcOptions _options;
    private readonly WhipSettings _settings;
    private readonly StreamRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger<WhipService> _logger;
    private readonly WhipMetrics _metrics;
    private readonly ConcurrentDictionary<string, (string Name, WebRtcSession Session, WhipPublisher Publisher)> _sessions = new(StringComparer.Ordinal);
    private WebRtcEndpoint? _endpoint;
    private long _nextId;
    private readonly RepeatedWarning _refusals; // a flood of bad offers logs a count per interval, not a line each

    public WhipService(IOptions<WebRtcOptions> options, WhipSettings settings, StreamRegistry registry, TimeProvider time, ILogger<WhipService> logger, WhipMetrics metrics)
    {
        _options = options.Value;
        _settings = settings;
        _registry = registry;
        _time = time;
        _logger = logger;
        _metrics = metrics;
        _refusals = new RepeatedWarning(time, (count, interval) => WhipLog.RefusalsSuppressed(logger, count, interval.TotalSeconds));
    }

    /// <summary>The UDP end point media is received on (the port chosen when 0 was asked); null before start.</summary>
    public IPEndPoint? LocalEndPoint => _endpoint?.LocalEndPoint;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _endpoint = new WebRtcEndpoint(_settings.EndPoint, _options, _time);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new IOException($"WebRTC ingest cannot listen on UDP {_settings.EndPoint}: {ex.Message} (another server on that port? choose another with --webrtc-port, or 0 to turn WHIP off)", ex);
        }

        _endpoint.Start();
        WhipLog.Listening(_logger, _endpoint.LocalEndPoint.ToString());
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _refusals.Dispose();
        if (_endpoint is not null)
        {
            await _endpoint.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A WHIP POST to /whip/<paramref name="name"/> with the Bearer <paramref name="key"/> and an SDP offer.</summary>
    public async Task<WhipOutcome> PublishAsync(string name, string? key, string offerText, string? remote)
    {
        var endpoint = _endpoint ?? throw new InvalidOperationException("WHIP ingest is not started");
        if (string.IsNullOrEmpty(key))
        {
            return Refuse(name, remote, 401, "no stream key: send it as Authorization: Bearer STREAM_KEY");
        }

        if (_registry.NameForKey(key) is { } keyName && keyName != name)
        {
            return Refuse(name, remote, 403, "that stream key does not publish this name");
        }

        if (endpoint.SessionCount >= _options.MaxSessions)
        {
            return Refuse(name, remote, 503, $"the server has its maximum of {_options.MaxSessions} WHIP sessions (webrtc.maxSessions)");
        }

        SdpOffer offer;
        try
        {
            offer = SdpOffer.Parse(offerText);
        }
        catch (FormatException ex)
        {
            return Refuse(name, remote, 400, ex.Message);
        }

        if (Negotiation.Choose(offer, out var codecError) is not { } negotiation)
        {
            return Refuse(name, remote, 406, codecError!);
        }

        var connectionId = "whip-" + Interlocked.Increment(ref _nextId).ToString(CultureInfo.InvariantCulture);
        var attempt = await _registry.PublishAsync(key, connectionId, remote, s_webRtc).ConfigureAwait(false);
        if (attempt.Publisher is not { } publisher)
        {
            var status = attempt.Result switch
            {
                PublishResult.UnknownKey or PublishResult.Refused => 403,
                PublishResult.NameInUse or PublishResult.OwnedElsewhere => 409,
                _ => 400,
            };
            return Refuse(attempt.ShownName, remote, status, attempt.RefusalReason(_registry.MaxStreamNameLength));
        }

        var sink = new WhipPublisher(_logger, _metrics, id => _sessions.TryRemove(id, out _));
        OpusToAac? audio = null;
        if (negotiation.AudioMid is not null)
        {
            try
            {
                audio = new OpusToAac(_settings.FfmpegPath, sink.WriteAudio);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                publisher.Dispose();
                return Refuse(name, remote, 500, $"the ffmpeg that makes AAC of the Opus audio did not start ({_settings.FfmpegPath}: {ex.Message}); install ffmpeg or set transcode.ffmpegPath");
            }
        }

        _metrics.Opened();
        var session = endpoint.Open(offer, negotiation, sink, out var answer);
        sink.Session = session;
        sink.Attach(publisher, audio);
        _sessions[session.Id] = (publisher.Stream.Name, session, sink);
        publisher.OnKick(reason => endpoint.Close(session, "the stream was ended: " + reason));
        var codecs = negotiation.AudioMid is null ? "H.264, no audio" : "H.264, Opus to AAC";
        if (attempt.Result == PublishResult.Resumed)
        {
            WhipLog.PublishResumed(_logger, publisher.Stream.Name, publisher.Stream.SessionId, session.Id, remote);
        }
        else
        {
            WhipLog.PublishStarted(_logger, publisher.Stream.Name, publisher.Stream.SessionId, session.Id, remote, codecs);
        }

        return new WhipOutcome(201, answer, session.Id, null);
    }

    /// <summary>A WHIP DELETE of the session resource: the publisher is done. False when there is no such session.</summary>
    public bool Delete(string name, string sessionId)
    {
        if (!_sessions.TryRemove(sessionId, out var entry) || entry.Name != name)
        {
            return false;
        }

        entry.Publisher.MarkUnpublished();
        _endpoint?.Close(entry.Session, "the publisher ended the session (WHIP DELETE)");
        return true;
    }

    /// <summary>Whether a session resource exists (PATCH answers for it).</summary>
    public bool Exists(string name, string sessionId) => _sessions.TryGetValue(sessionId, out var entry) && entry.Name == name && !entry.Session.Closed;

    private WhipOutcome Refuse(string name, string? remote, int status, string reason)
    {
        _metrics.Refused();
        if (_refusals.ShouldLog())
        {
            WhipLog.Refused(_logger, name, remote, status, reason);
        }

        return new WhipOutcome(status, null, null, reason);
    }
}
