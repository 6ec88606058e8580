using Microsoft.Extensions.Logging;
using OnAir.Media;
using OnAir.Streams;
using OnAir.WebRtc;

namespace OnAir.Ingest.Whip;

/// <summary>
/// One WHIP session's bridge into its stream: H.264 frames from the WebRTC socket thread and AAC
/// frames from the audio ffmpeg's reader both write to the one <see cref="StreamPublisher"/>, one
/// at a time (a short lock, no I/O under it).
/// </summary>
internal sealed class WhipPublisher : IWebRtcSink
{
    private readonly Lock _write = new();
    private readonly ILogger _logger;
    private readonly WhipMetrics _metrics;
    private readonly Action<string> _forget;
    private StreamPublisher? _publisher;
    private OpusToAac? _audio;
    private string _streamName = "";
    private volatile bool _unpublish;

    /// <param name="forget">Drops the session from the service's table once it ended, however it ended.</param>
    public WhipPublisher(ILogger logger, WhipMetrics metrics, Action<string> forget)
    {
        _logger = logger;
        _metrics = metrics;
        _forget = forget;
    }

    public WebRtcSession? Session { get; set; }

    /// <summary>Set once the stream accepted the publish and the session exists.</summary>
    public void Attach(StreamPublisher publisher, OpusToAac? audio)
    {
        _publisher = publisher;
        _audio = audio;
        _streamName = publisher.Stream.Name;
    }

    /// <summary>A WHIP DELETE: the publisher says it is done, so the stream may end at once.</summary>
    public void MarkUnpublished() => _unpublish = true;

    public void OnVideo(MediaFrame frame) => Write(frame);

    public void OnOpus(ReadOnlySpan<byte> packet, long pts) => _audio?.Write(packet, pts);

    public void WriteAudio(MediaFrame frame) => Write(frame);

    public void OnClosed(string reason)
    {
        if (Volatile.Read(ref _publisher) is not { } publisher)
        {
            return;
        }

        WhipLog.PublishEnded(_logger, publisher.Stream.Name, Session?.Id ?? "?", reason, Session?.LostPackets ?? 0, Session?.DroppedFrames ?? 0);
        _metrics.Closed(Session?.LostPackets ?? 0, Session?.DroppedFrames ?? 0);
        if (Session is { } session)
        {
            _forget(session.Id);
        }

        lock (_write)
        {
            _publisher = null; // nothing written after the stream was told the publisher left
            if (_unpublish)
            {
                publisher.Unpublish();
            }

            publisher.Dispose();
        }

        // Stopping ffmpeg waits for the process: off the thread that closed the session (the socket thread, often).
        _ = Task.Run(StopAudioAsync);
    }

    private async Task StopAudioAsync()
    {
        if (_audio is not { } audio)
        {
            return;
        }

        if (audio.LastError.Length > 0)
        {
            WhipLog.AudioFailed(_logger, _streamName, Session?.Id ?? "?", audio.LastError);
        }

        await audio.DisposeAsync().ConfigureAwait(false);
    }

    private void Write(MediaFrame frame)
    {
        lock (_write)
        {
            if (_publisher is { } publisher)
            {
                publisher.Write(frame);
                return;
            }
        }

        frame.Release();
    }
}
