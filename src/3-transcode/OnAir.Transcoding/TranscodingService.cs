using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OnAir.Streams;
using OnAir.Transcoding.Ffmpeg;

namespace OnAir.Transcoding;

/// <summary>
/// Starts a <see cref="StreamTranscoder"/> for every stream that goes live while the ladder has
/// rungs, up to the admission cap (a stream over it is served as source only and says so in its
/// <see cref="TranscoderStatus"/>). Checks ffmpeg at startup: a missing or old one stops the
/// server with the command that installs it.
/// </summary>
public sealed class TranscodingService : IHostedService, IDisposable
{
    private static readonly TimeSpan s_shutdownWait = TimeSpan.FromSeconds(10);

    private readonly StreamRegistry _registry;
    private readonly TranscoderSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<TranscodingService> _logger;
    private readonly ConcurrentDictionary<string, TranscoderStatus> _statuses = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<StreamTranscoder, Task> _running = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _admission = new();
    private int _active;
    private ChannelReader<StreamEvent>? _events;
    private Task? _eventLoop;

    public TranscodingService(StreamRegistry registry, TranscoderSettings settings, TimeProvider time, ILogger<TranscodingService> logger)
    {
        _registry = registry;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    /// <summary>Whether the ladder in force makes any rung (false for passthrough).</summary>
    public bool Enabled => _settings.Ladder.Renditions.Count > 0;

    /// <summary>The transcoder status of every stream that asked for one, by stream session id.</summary>
    public IEnumerable<TranscoderStatus> Statuses => _statuses.Values;

    /// <summary>The transcoder status of one stream session, if it has one.</summary>
    public TranscoderStatus? StatusOf(string sessionId) => _statuses.GetValueOrDefault(sessionId);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        await FfmpegInstallation.CheckAsync(_settings.Options.FfmpegPath, cancellationToken).ConfigureAwait(false);
        _events = _registry.Events.Subscribe();
        _eventLoop = RunEventsAsync(_events);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_events is not null)
        {
            _registry.Events.Unsubscribe(_events);
            await _eventLoop!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // Streams end first (the packaging service ends them); transcoders drain what ffmpeg holds.
        var all = Task.WhenAll(_running.Values);
        await Task.WhenAny(all, Task.Delay(s_shutdownWait, _time, cancellationToken)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunEventsAsync(ChannelReader<StreamEvent> events)
    {
        await foreach (var streamEvent in events.ReadAllAsync().ConfigureAwait(false))
        {
            switch (streamEvent.Kind)
            {
                case StreamEventKind.Started:
                    OnStreamStarted(streamEvent.Stream);
                    break;
                case StreamEventKind.Ended:
                    _statuses.TryRemove(streamEvent.Stream.SessionId, out _);
                    break;
            }
        }
    }

    private void OnStreamStarted(LiveStream stream)
    {
        var cap = _settings.Options.EffectiveMaxStreams;
        lock (_admission)
        {
            if (_active >= cap)
            {
                TranscodeLog.OverCap(_logger, stream.Name, _active, cap);
                _statuses[stream.SessionId] = new TranscoderStatus(stream.Name, stream.SessionId) { State = TranscoderState.OverCap };
                return;
            }

            _active++;
        }

        var transcoder = new StreamTranscoder(stream, _settings, _time, _logger);
        _statuses[stream.SessionId] = transcoder.Status;
        _running[transcoder] = RunAsync(transcoder);
    }

    private async Task RunAsync(StreamTranscoder transcoder)
    {
        try
        {
            await Task.Run(() => transcoder.RunAsync(_stopping.Token)).ConfigureAwait(false);
        }
        finally
        {
            lock (_admission)
            {
                _active--;
            }

            _running.TryRemove(transcoder, out _);
        }
    }
}
