using System.Globalization;
using System.Net;
using OnAir.Ingest.Srt.Native;
using OnAir.Media;
using OnAir.Media.MpegTs;
using OnAir.Streams;

namespace OnAir.Ingest.Srt;

/// <summary>
/// One SRT publisher: its socket, the MPEG-TS demuxer its messages go through, and its handle on
/// the stream. Owned by the <see cref="SrtListener"/>'s loop thread, like every other connection;
/// only <see cref="Stats"/> is read from other threads (the API), as an immutable snapshot.
/// </summary>
internal sealed class SrtConnection : IIngestLink, IDisposable
{
    private static long s_nextId;

    private readonly TsDemuxer _demuxer = new();
    private readonly List<TsFrame> _frames = [];
    private readonly SrtMetrics _metrics;
    private readonly int _latencyMs;
    private IReadOnlyList<TsStreamInfo>? _checkedStreams;
    private int _videoPid = -1;
    private int _audioPid = -1;
    private IngestLinkStats? _stats;
    private SrtPerformance _lastSample;
    private long _lastSampleAt;
    private bool _disposed;

    public SrtConnection(SrtSocket socket, IPEndPoint? remote, string key, long now, SrtMetrics metrics, int latencyMs)
    {
        Socket = socket;
        Remote = remote?.ToString();
        Key = key;
        Id = "srt-" + Interlocked.Increment(ref s_nextId).ToString(CultureInfo.InvariantCulture);
        LastMediaAt = now;
        _lastSampleAt = now;
        _metrics = metrics;
        _latencyMs = latencyMs;
    }

    public SrtSocket Socket { get; }

    public string Id { get; }

    public string? Remote { get; }

    /// <summary>The stream key from the stream id (a secret when keys are configured: never logged).</summary>
    public string Key { get; }

    /// <summary>Set once the stream accepted the publish; until then the socket is not read.</summary>
    public StreamPublisher? Publisher { get; private set; }

    /// <summary>When the last frame came (<see cref="TimeProvider.GetTimestamp"/>), or the connection opened.</summary>
    public long LastMediaAt { get; private set; }

    public string Protocol => "srt";

    public IngestLinkStats? Stats => Volatile.Read(ref _stats);

    public void Attach(StreamPublisher publisher) => Publisher = publisher;

    /// <summary>
    /// Reads every message waiting and writes the frames they complete into the stream. Null while
    /// all is well; else why the connection must close (gone, or media OnAir cannot carry).
    /// </summary>
    public string? ReadAvailable(Span<byte> buffer, long now)
    {
        int length;
        try
        {
            while ((length = Socket.Receive(buffer)) > 0)
            {
                _metrics.Received(length);
                _demuxer.Push(buffer[..length], _frames);
                if (Route(now) is { } refusal)
                {
                    return refusal;
                }
            }
        }
        catch (SrtException ex)
        {
            return "the connection ended (" + ex.Message + ")";
        }

        return null;
    }

    /// <summary>Refreshes <see cref="Stats"/> from libsrt's counters and adds their growth to the metrics.</summary>
    public void Sample(long now, TimeProvider time)
    {
        if (Socket.Statistics() is not { } sample)
        {
            return;
        }

        var seconds = time.GetElapsedTime(_lastSampleAt, now).TotalSeconds;
        var mbps = seconds > 0 ? (sample.ByteRecvTotal - _lastSample.ByteRecvTotal) * 8 / seconds / 1e6 : 0;
        _metrics.LinkGrew(
            sample.PktRcvLossTotal - _lastSample.PktRcvLossTotal,
            sample.PktRcvRetrans - _lastSample.PktRcvRetrans,
            sample.PktRcvDropTotal - _lastSample.PktRcvDropTotal);
        _lastSample = sample;
        _lastSampleAt = now;
        Volatile.Write(ref _stats, new IngestLinkStats(sample.MsRtt, sample.PktRecvTotal, sample.PktRcvLossTotal, sample.PktRcvRetrans, sample.PktRcvDropTotal, Math.Round(mbps, 3), sample.MsRcvTsbPdDelay > 0 ? sample.MsRcvTsbPdDelay : _latencyMs));
    }

    /// <summary>The frames still held by the demuxer go out, then the stream learns its publisher is gone (it waits the reconnect grace).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Publisher is not null)
        {
            _demuxer.Flush(_frames);
            Route(LastMediaAt);
            Publisher.Dispose();
        }

        ReleaseFrames();
        _demuxer.Dispose();
        Socket.Dispose();
    }

    private string? Route(long now)
    {
        try
        {
            foreach (var (pid, frame) in _frames)
            {
                if (frame.Kind == TrackKind.Video && (_videoPid == -1 || _videoPid == pid))
                {
                    _videoPid = pid;
                }
                else if (frame.Kind == TrackKind.Audio && (_audioPid == -1 || _audioPid == pid))
                {
                    _audioPid = pid;
                }
                else
                {
                    frame.Release(); // a second program's or a second track's: one video and one audio per stream
                    continue;
                }

                LastMediaAt = now;
                Publisher!.Write(frame);
            }
        }
        finally
        {
            _frames.Clear();
        }

        return UnsupportedMedia();
    }

    /// <summary>Once the PMT is known: a transport stream without H.264 video is refused (as RTMP refuses other codecs).</summary>
    private string? UnsupportedMedia()
    {
        var streams = _demuxer.Streams;
        if (ReferenceEquals(streams, _checkedStreams) || streams.Count == 0)
        {
            return null;
        }

        _checkedStreams = streams;
        if (streams.Any(s => s.Kind == TrackKind.Video))
        {
            return null;
        }

        var types = string.Join(", ", streams.Select(s => "0x" + s.StreamType.ToString("X2", CultureInfo.InvariantCulture)));
        return $"the MPEG-TS carries no H.264 video (stream types {types}); OnAir takes H.264 with AAC over SRT";
    }

    private void ReleaseFrames()
    {
        foreach (var (_, frame) in _frames)
        {
            frame.Release();
        }

        _frames.Clear();
    }
}
