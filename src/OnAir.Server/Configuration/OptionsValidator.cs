using System.Net;
using OnAir.Recording;
using OnAir.Streams;
using OnAir.Transcoding;

namespace OnAir.Server.Configuration;

/// <summary>Range and consistency checks; the first failure is reported with its key and the accepted values.</summary>
public static class OptionsValidator
{
    /// <exception cref="ConfigurationError">A value out of its accepted range.</exception>
    public static void Validate(OnAirOptions o)
    {
        Range("rtmpPort", o.RtmpPort, 1, 65535);
        Range("httpPort", o.HttpPort, 1, 65535);
        if (o.RtmpPort == o.HttpPort)
        {
            throw new ConfigurationError("httpPort", $"must differ from rtmpPort ({o.RtmpPort})");
        }

        if (!IPAddress.TryParse(o.Bind, out _))
        {
            throw new ConfigurationError("bind", $"'{o.Bind}' is not an IP address (accepted: e.g. 127.0.0.1, 0.0.0.0, ::1)");
        }

        foreach (var (name, ladder) in o.Ladders)
        {
            ValidateLadder(name, ladder);
        }

        var ladders = OnAir.Transcoding.Ladders.All(o.Ladders);
        if (!ladders.ContainsKey(o.Ladder))
        {
            throw new ConfigurationError("ladder", $"'{o.Ladder}' is not a ladder (accepted: {string.Join(", ", ladders.Keys)})");
        }

        Range("srtPort", o.SrtPort, 0, 65535);
        ValidateSrt(o.Srt);
        Range("webrtcPort", o.WebrtcPort, 0, 65535);
        ValidateWebRtc(o.Webrtc);
        ValidateTls("tls", o.Tls);
        ValidateTls("rtmps", o.Rtmps);
        if (o.RtmpsPort != 0)
        {
            Range("rtmpsPort", o.RtmpsPort, 1, 65535);
            if (o.RtmpsPort == o.RtmpPort || o.RtmpsPort == o.HttpPort)
            {
                throw new ConfigurationError("rtmpsPort", $"must differ from rtmpPort ({o.RtmpPort}) and httpPort ({o.HttpPort})");
            }

            if (o.RtmpsCertificate is null)
            {
                throw new ConfigurationError("rtmpsPort", "needs a certificate: set rtmps.certificateFile and rtmps.keyFile (PEM) in onair.json, or tls.* to use the HTTP port's");
            }
        }

        var r = o.Rtmp;
        if (string.IsNullOrWhiteSpace(r.App) || r.App.Contains('/', StringComparison.Ordinal))
        {
            throw new ConfigurationError("rtmp.app", $"'{r.App}' must be one non-empty path segment (e.g. live)");
        }

        Range("rtmp.maxChunkSize", r.MaxChunkSize, 128, int.MaxValue);
        Range("rtmp.maxMessageSize", r.MaxMessageSize, 1024, 64 * 1024 * 1024);
        Range("rtmp.maxChunkStreams", r.MaxChunkStreams, 2, 65599);
        Range("rtmp.maxAmfDepth", r.MaxAmfDepth, 2, 64);
        Range("rtmp.handshakeTimeoutSeconds", r.HandshakeTimeoutSeconds, 0.1, 3600);
        Range("rtmp.idleTimeoutSeconds", r.IdleTimeoutSeconds, 0.1, 3600);
        Range("rtmp.outgoingChunkSize", r.OutgoingChunkSize, 128, 65536);
        Range("rtmp.windowAckSize", r.WindowAckSize, 4096, int.MaxValue);
        Range("rtmp.receiveBatchMilliseconds", r.ReceiveBatchMilliseconds, 0, 200);
        Range("rtmp.maxConnectionsPerAddress", r.MaxConnectionsPerAddress, 0, 1_000_000);
        Range("http.keepAliveTimeoutSeconds", o.Http.KeepAliveTimeoutSeconds, 1, 3600);
        Range("http.requestHeadersTimeoutSeconds", o.Http.RequestHeadersTimeoutSeconds, 1, 3600);
        Range("http.maxConnectionsPerAddress", o.Http.MaxConnectionsPerAddress, 0, 1_000_000);

        Range("lifecycle.reconnectGraceSeconds", o.Lifecycle.ReconnectGraceSeconds, 0, 3600);
        Range("lifecycle.endedRetentionSeconds", o.Lifecycle.EndedRetentionSeconds, 0, 86400);
        Range("origin.viewerTimeoutSeconds", o.Origin.ViewerTimeoutSeconds, 1, 3600);
        Range("origin.maxTrackedViewers", o.Origin.MaxTrackedViewers, 1, 10_000_000);
        foreach (var proxy in o.Origin.TrustedProxies)
        {
            if (!IPAddress.TryParse(proxy, out _))
            {
                throw new ConfigurationError("origin.trustedProxies", $"'{proxy}' is not an IP address (accepted: a list of proxy addresses, e.g. [\"127.0.0.1\"])");
            }
        }

        if (!string.IsNullOrEmpty(o.Redis))
        {
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(o.Redis);
            }
            catch (ArgumentException ex)
            {
                throw new ConfigurationError("redis", $"'{o.Redis}' is not a Redis configuration ({ex.Message}; accepted: HOST:PORT, e.g. 127.0.0.1:6379)");
            }
        }

        Range("cluster.ttlSeconds", o.Cluster.TtlSeconds, 1, 3600);
        Range("cluster.heartbeatSeconds", o.Cluster.HeartbeatSeconds, 0.1, o.Cluster.TtlSeconds / 2, " (at most half of cluster.ttlSeconds, so one missed beat does not drop a node)");

        var w = o.Webhooks;
        foreach (var url in w.Urls.Append(w.OnPublishUrl).OfType<string>())
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                throw new ConfigurationError(url == w.OnPublishUrl ? "webhooks.onPublishUrl" : "webhooks.urls", $"'{url}' is not an absolute http:// or https:// URL");
            }
        }

        Range("webhooks.timeoutSeconds", w.TimeoutSeconds, 0.1, 300);
        Range("webhooks.maxAttempts", w.MaxAttempts, 1, 100);
        Range("webhooks.retryDelaySeconds", w.RetryDelaySeconds, 0.01, 3600);
        Range("webhooks.queueCapacity", w.QueueCapacity, 1, 1_000_000);
        Range("webhooks.onPublishTimeoutSeconds", w.OnPublishTimeoutSeconds, 0.1, 60);

        var rec = o.Recording;
        OneOf("recording.renditions", rec.Renditions, RecordingOptions.RenditionChoices);
        Range("recording.maxAgeHours", rec.MaxAgeHours, 0, 24 * 365 * 100);
        Range("recording.maxTotalMegabytes", rec.MaxTotalMegabytes, 0, long.MaxValue / (1024 * 1024));
        foreach (var name in rec.Streams)
        {
            if (!StreamName.IsValid(name, o.Streams.MaxStreamNameLength))
            {
                throw new ConfigurationError("recording.streams", $"'{name}' is not a stream name (accepted: letters, digits, '_', '-', '.')");
            }
        }

        var h = o.Hls;
        Range("hls.maxTargetDurationSeconds", h.MaxTargetDurationSeconds, 1, 60);
        Range("hls.targetDurationSeconds", h.TargetDurationSeconds, 0.5, h.MaxTargetDurationSeconds);
        Range("hls.windowSegments", h.WindowSegments, 3, 1000);
        Range("hls.trackProbeSeconds", h.TrackProbeSeconds, 0, 10);
        Range("hls.partTargetSeconds", h.PartTargetSeconds, 0.1, Math.Min(2, h.TargetDurationSeconds / 2), " (LL-HLS parts: 0.2-0.5 s is what Apple recommends)");
        if (h.SegmentFormat is not null)
        {
            OneOf("hls.segmentFormat", h.SegmentFormat, ["fmp4", "ts"]);
        }
        var rfcMinimum = Math.Ceiling(h.TargetDurationSeconds) * (h.WindowSegments + 1);
        Range("hls.segmentRetentionSeconds", h.SegmentRetentionSeconds, rfcMinimum, 86400,
            $" (RFC 8216 section 6.2.2: at least the playlist duration plus one segment, (windowSegments + 1) x targetDurationSeconds = {rfcMinimum})");

        var s = o.Streams;
        Range("streams.subscriberQueueFrames", s.SubscriberQueueFrames, 16, 1_000_000);
        Range("streams.gopCacheMaxFrames", s.GopCacheMaxFrames, 1, 1_000_000);
        Range("streams.maxStreamNameLength", s.MaxStreamNameLength, 1, 255);
        foreach (var (key, name) in s.StreamKeys)
        {
            if (!StreamName.IsValid(name, s.MaxStreamNameLength))
            {
                throw new ConfigurationError($"streams.streamKeys.{key}", $"'{name}' is not a valid stream name (accepted: 1-{s.MaxStreamNameLength} characters of A-Z a-z 0-9 _ - .)");
            }
        }

        Range("origin.playlistWaitSeconds", o.Origin.PlaylistWaitSeconds, 0, 60);
        Range("origin.maxBlockingRequests", o.Origin.MaxBlockingRequests, 1, 1_000_000);

        var t = o.Transcode;
        if (string.IsNullOrWhiteSpace(t.FfmpegPath))
        {
            throw new ConfigurationError("transcode.ffmpegPath", "must name the ffmpeg executable (e.g. ffmpeg or /usr/bin/ffmpeg)");
        }

        Range("transcode.maxStreams", t.MaxStreams, 0, 1000, " (0: one per two cores)");
        Range("transcode.lagBudgetSeconds", t.LagBudgetSeconds, 0, 60, " (0: one segment, hls.targetDurationSeconds)");
        Range("transcode.recoverAfterSeconds", t.RecoverAfterSeconds, 1, 3600);
        OneOf("transcode.degradedPreset", t.DegradedPreset, OnAir.Transcoding.Ladders.Presets);
        Range("transcode.stallTimeoutSeconds", t.StallTimeoutSeconds, 1, 600);
        Range("transcode.restartDelaySeconds", t.RestartDelaySeconds, 0, 60);
        Range("transcode.maxRestarts", t.MaxRestarts, 0, 100);
        Range("transcode.restartWindowSeconds", t.RestartWindowSeconds, 1, 86400);
        Range("transcode.droppedRungGraceSeconds", t.DroppedRungGraceSeconds, 0, 600);
    }

    private static void ValidateLadder(string name, LadderOptions ladder)
    {
        var key = $"ladders.{name}";
        if (!StreamName.IsValid(name, 64))
        {
            throw new ConfigurationError(key, "a ladder name must be 1-64 characters of A-Z a-z 0-9 _ - .");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < ladder.Renditions.Count; i++)
        {
            var r = ladder.Renditions[i];
            var at = $"{key}.renditions[{i}]";
            if (!StreamName.IsValid(r.Name, 32) || r.Name == Rendition.SourceName || !names.Add(r.Name))
            {
                throw new ConfigurationError($"{at}.name", $"'{r.Name}' must be a unique URL segment of 1-32 characters of A-Z a-z 0-9 _ - ., not 'source'");
            }

            Range($"{at}.height", r.Height, 64, 4320);
            Range($"{at}.videoBitrateKbps", r.VideoBitrateKbps, 50, 100_000);
            Range($"{at}.maxRateKbps", r.MaxRateKbps, r.VideoBitrateKbps, 200_000, " (at least videoBitrateKbps)");
            OneOf($"{at}.profile", r.Profile, OnAir.Transcoding.Ladders.Profiles);
            OneOf($"{at}.preset", r.Preset, OnAir.Transcoding.Ladders.Presets);
        }

        if (ladder.AudioBitrateKbps is { } audio)
        {
            Range($"{key}.audioBitrateKbps", audio, 16, 512);
        }
    }

    private static void ValidateWebRtc(OnAir.WebRtc.WebRtcOptions webrtc)
    {
        Range("webrtc.connectTimeoutSeconds", webrtc.ConnectTimeoutSeconds, 1, 120);
        Range("webrtc.idleTimeoutSeconds", webrtc.IdleTimeoutSeconds, 1, 3600);
        Range("webrtc.keyFrameIntervalSeconds", webrtc.KeyFrameIntervalSeconds, 0.5, 60);
        Range("webrtc.maxSessions", webrtc.MaxSessions, 1, 10_000);
        if (webrtc.CandidateAddress is { Length: > 0 } address && !IPAddress.TryParse(address, out _))
        {
            throw new ConfigurationError("webrtc.candidateAddress", $"'{address}' is not an IP address (the address WHIP publishers reach this server at)");
        }
    }

    private static void ValidateSrt(OnAir.Ingest.Srt.SrtOptions srt)
    {
        Range("srt.latencyMilliseconds", srt.LatencyMilliseconds, 20, 8000);
        Range("srt.maxConnections", srt.MaxConnections, 1, 100_000);
        Range("srt.idleTimeoutSeconds", srt.IdleTimeoutSeconds, 1, 3600);
        Range("srt.receiveBatchMilliseconds", srt.ReceiveBatchMilliseconds, 0, 200);
        if (srt.Passphrase is { Length: > 0 and (< 10 or > 79) } passphrase)
        {
            throw new ConfigurationError("srt.passphrase", $"has {passphrase.Length} characters (accepted: 10 to 79, SRT's limits; or none for no encryption)");
        }

        if (string.IsNullOrWhiteSpace(srt.App) || srt.App.Contains('/', StringComparison.Ordinal))
        {
            throw new ConfigurationError("srt.app", $"'{srt.App}' must be one non-empty path segment (e.g. live)");
        }
    }

    /// <summary>Both files or neither, and they must load: a server that cannot serve HTTPS says so at start, not at the first request.</summary>
    private static void ValidateTls(string section, TlsOptions tls)
    {
        if (!tls.Enabled)
        {
            return;
        }

        (string Key, string? File)[] files = [($"{section}.certificateFile", tls.CertificateFile), ($"{section}.keyFile", tls.KeyFile)];
        foreach (var (key, file) in files)
        {
            if (string.IsNullOrEmpty(file))
            {
                throw new ConfigurationError(key, $"must be set with the other {section} key (a PEM certificate and its PEM private key)");
            }
        }

        foreach (var (key, file) in files)
        {
            if (!File.Exists(file))
            {
                throw new ConfigurationError(key, $"file '{file}' does not exist");
            }
        }

        try
        {
            using var certificate = tls.LoadCertificate();
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new ConfigurationError($"{section}.certificateFile", $"'{tls.CertificateFile}' with key '{tls.KeyFile}' is not a usable PEM certificate and private key ({ex.Message})");
        }
    }

    private static void OneOf(string key, string value, string[] accepted)
    {
        if (!accepted.Contains(value, StringComparer.Ordinal))
        {
            throw new ConfigurationError(key, $"'{value}' is not accepted (accepted: {string.Join(", ", accepted)})");
        }
    }

    private static void Range(string key, double value, double min, double max, string why = "")
    {
        if (double.IsNaN(value) || value < min || value > max)
        {
            throw new ConfigurationError(key, $"{value} is out of range (accepted: {min} to {max}){why}");
        }
    }
}
