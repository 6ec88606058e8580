using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Control.Api;
using OnAir.Recording;
using OnAir.Streams;

namespace OnAir.Control.Webhooks;

/// <summary>
/// POSTs stream lifecycle events to every configured receiver. An observer of its own: it reads the
/// stream events on its own loop and hands each delivery to the receiver's queue, so nothing it does
/// reaches a publisher or a packager. Each receiver has one loop that delivers in order and retries
/// with a doubling delay; a receiver that hangs or fails delays only its own deliveries.
/// </summary>
public sealed class WebhookService : IHostedService, IDisposable
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly StreamRegistry _registry;
    private readonly RecordingEvents? _recordings;
    private readonly WebhookOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookService> _logger;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<(string Url, Channel<Delivery> Queue, Task Loop)> _receivers = [];
    private ChannelReader<StreamEvent>? _events;
    private Task? _eventLoop;
    private ChannelReader<RecordingInfo>? _readyRecordings;
    private Task? _recordingLoop;

    public WebhookService(StreamRegistry registry, IOptions<WebhookOptions> options, TimeProvider time, ILogger<WebhookService> logger, RecordingEvents? recordings = null)
    {
        _registry = registry;
        _recordings = recordings;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _http = WebhookHttp.CreateClient();
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options.Urls.Count == 0)
        {
            return Task.CompletedTask;
        }

        foreach (var url in _options.Urls)
        {
            var queue = Channel.CreateBounded<Delivery>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
            _receivers.Add((url, queue, DeliverAsync(url, queue.Reader, _stopping.Token)));
        }

        _events = _registry.Events.Subscribe();
        _eventLoop = RunEventsAsync(_events);
        if (_recordings is not null)
        {
            _readyRecordings = _recordings.Subscribe();
            _recordingLoop = RunRecordingEventsAsync(_readyRecordings);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_events is null)
        {
            return;
        }

        // Streams have ended by now (the packaging service stops first): their stream.ended goes out too.
        _registry.Events.Unsubscribe(_events);
        await _eventLoop!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_readyRecordings is not null)
        {
            // Registered before the recording service, so it stops after it: recordings finalised at shutdown are announced too.
            _recordings!.Unsubscribe(_readyRecordings);
            await _recordingLoop!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        foreach (var (_, queue, _) in _receivers)
        {
            queue.Writer.TryComplete();
        }

        var all = Task.WhenAll(_receivers.Select(r => r.Loop));
        await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(_options.TimeoutSeconds), _time, cancellationToken)).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _http.Dispose();
    }

    private async Task RunEventsAsync(ChannelReader<StreamEvent> events)
    {
        await foreach (var streamEvent in events.ReadAllAsync().ConfigureAwait(false))
        {
            if (streamEvent.Kind == StreamEventKind.RenditionAdded)
            {
                continue; // the ladder's details are the API's, not a lifecycle change
            }

            var json = StreamEventJson.Of(streamEvent);
            Enqueue(json.Event, json.Stream, JsonSerializer.SerializeToUtf8Bytes(json, s_json));
        }
    }

    private async Task RunRecordingEventsAsync(ChannelReader<RecordingInfo> ready)
    {
        await foreach (var recording in ready.ReadAllAsync().ConfigureAwait(false))
        {
            var body = new { Event = "recording.ready", recording.Stream, Recording = RecordingView.Of(recording, _time.GetUtcNow()) };
            Enqueue(body.Event, recording.Stream, JsonSerializer.SerializeToUtf8Bytes(body, s_json));
        }
    }

    private void Enqueue(string @event, string stream, byte[] body)
    {
        var delivery = new Delivery(@event, stream, Guid.NewGuid().ToString("N"), body);
        foreach (var (_, queue, _) in _receivers)
        {
            if (!queue.Writer.TryWrite(delivery))
            {
                ControlLog.WebhookDropped(_logger, delivery.Event, delivery.Stream, _options.QueueCapacity);
            }
        }
    }

    private async Task DeliverAsync(string url, ChannelReader<Delivery> queue, CancellationToken stopping)
    {
        try
        {
            await foreach (var delivery in queue.ReadAllAsync(stopping).ConfigureAwait(false))
            {
                await DeliverWithRetriesAsync(url, delivery, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DeliverWithRetriesAsync(string url, Delivery delivery, CancellationToken stopping)
    {
        var delay = TimeSpan.FromSeconds(_options.RetryDelaySeconds);
        for (var attempt = 1; ; attempt++)
        {
            var (_, failure) = await WebhookHttp.PostAsync(_http, url, delivery.Event, delivery.Id, delivery.Body, _options.Secret, TimeSpan.FromSeconds(_options.TimeoutSeconds), "webhooks.timeoutSeconds", stopping).ConfigureAwait(false);
            if (failure is null)
            {
                return;
            }

            if (attempt >= _options.MaxAttempts)
            {
                ControlLog.WebhookGaveUp(_logger, delivery.Event, delivery.Stream, url, _options.MaxAttempts, failure);
                return;
            }

            ControlLog.WebhookRetry(_logger, delivery.Event, delivery.Stream, url, attempt, _options.MaxAttempts, failure, delay.TotalSeconds);
            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
            delay *= 2;
        }
    }

    private sealed record Delivery(string Event, string Stream, string Id, byte[] Body);
}
