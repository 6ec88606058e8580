using System.Buffers;
using System.Text;

namespace OnAir.Packaging.Hls;

/// <summary>
/// Owns a rendition's playlist state: the sliding window of closed segments, the parts of the
/// segment being written, the discontinuity count that left the window. Each publish builds an
/// immutable <see cref="MediaPlaylistSnapshot"/> (full playlist, delta update, live edge) and hands
/// it to the <see cref="RenditionOutput"/>, which wakes the requests blocked on it. Used by the
/// rendition's packager loop only.
/// </summary>
internal sealed class PlaylistPublisher
{
    private readonly RenditionOutput _output;
    private readonly StreamOutput _stream;
    private readonly HlsOptions _options;
    private readonly List<SegmentInfo> _window = [];
    private readonly List<PartInfo> _openParts = [];
    private readonly StringBuilder _text = new(4096);
    private readonly ArrayBufferWriter<byte> _utf8 = new(4096);
    private readonly Encoder _encoder = Encoding.UTF8.GetEncoder();
    private long _discontinuitySequence;
    private OpenSegment? _open;
    private long _openSequence;

    public PlaylistPublisher(RenditionOutput output, StreamOutput stream, HlsOptions options)
    {
        _output = output;
        _stream = stream;
        _options = options;
    }

    public IReadOnlyList<SegmentInfo> Window => _window;

    public bool LowLatency => _options.LowLatency;

    /// <summary>A segment started being written: its parts are listed under these tags.</summary>
    public void BeginSegment(long sequence, OpenSegment open)
    {
        _openSequence = sequence;
        _open = open;
        _openParts.Clear();
    }

    public void AddPart(PartInfo part)
    {
        _openParts.Add(part);
        _output.AddPart(part);
    }

    /// <summary>Lists a closed segment (with the parts it was written as) or a gap, sliding the window.</summary>
    public void Add(SegmentInfo segment, DateTimeOffset now)
    {
        if (LowLatency && !segment.Gap && _open is not null)
        {
            segment = segment with { Parts = [.. _openParts] };
        }

        _openParts.Clear();
        _open = null;
        _openSequence = segment.Sequence + 1;
        if (!segment.Gap)
        {
            _output.AddSegment(segment);
        }

        _window.Add(segment);
        while (_window.Count > _options.WindowSegments)
        {
            _output.Retire(_window[0], now);
            if (_window[0].Discontinuity)
            {
                _discontinuitySequence++;
            }

            _window.RemoveAt(0);
        }
    }

    /// <param name="segmentClosed">Whether the window changed (then the playlist file on disk is rewritten too), or only a part was added.</param>
    public void Publish(int targetDuration, RenditionVariant? variant, string? preloadHint, bool ended, bool segmentClosed)
    {
        byte[] full;
        byte[]? delta = null;
        if (LowLatency)
        {
            var tags = new LowLatencyTags(_options.PartTargetSeconds, _openParts, ended ? null : preloadHint, ended ? [] : Reports(), _open);
            full = Render(targetDuration, ended, tags);
            var skip = MediaPlaylistWriter.SkippableSegments(targetDuration, _window, tags);
            if (skip > 0)
            {
                delta = Render(targetDuration, ended, tags, skip);
            }
        }
        else
        {
            full = Render(targetDuration, ended);
        }

        var snapshot = new MediaPlaylistSnapshot(full, delta, _window, _openParts, _openSequence, targetDuration, LowLatency ? _options.PartTargetSeconds : null, ended, ended ? null : preloadHint);
        _output.Publish(snapshot, variant, writeFile: segmentClosed || ended);
    }

    /// <summary>Where every other rendition of the stream is, as its latest playlist says.</summary>
    private List<RenditionReport> Reports()
    {
        var reports = new List<RenditionReport>();
        foreach (var other in _stream.Renditions)
        {
            if (other != _output && other.Snapshot is { LastPartSequence: >= 0 } snapshot && !snapshot.IsEnded)
            {
                reports.Add(new RenditionReport($"../{other.Name}/playlist.m3u8", snapshot.LastPartSequence, snapshot.LastPart));
            }
        }

        return reports;
    }

    /// <summary>
    /// The playlist as UTF-8, written into the reused builder and encoded from its chunks through a
    /// reused buffer: the playlist's only allocation is its bytes.
    /// </summary>
    private byte[] Render(int targetDuration, bool ended, LowLatencyTags? tags = null, int skip = 0)
    {
        MediaPlaylistWriter.Write(_text.Clear(), targetDuration, _window, ended, _discontinuitySequence, tags, skip);
        _utf8.ResetWrittenCount();
        _encoder.Reset();
        foreach (var chunk in _text.GetChunks())
        {
            _encoder.Convert(chunk.Span, _utf8, flush: false, out _, out _); // the encoder carries a character split between chunks
        }

        _encoder.Convert([], _utf8, flush: true, out _, out _);
        return _utf8.WrittenSpan.ToArray();
    }
}
