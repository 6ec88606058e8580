using Microsoft.Extensions.Logging;
using OnAir.Media;
using OnAir.Media.MpegTs;
using OnAir.Streams;
using OnAir.Transcoding.Ffmpeg;

namespace OnAir.Transcoding;

/// <summary>
/// Writes what ffmpeg produces back into the stream: each rung's video PID becomes a rendition
/// (added to the stream at its first frame, kept across ffmpeg restarts so its playlist carries
/// on), with the one audio track shared by every rung. Rungs the degradation policy drops leave
/// the master playlist at once and end their playlist after a grace period, unless they come back first.
/// </summary>
internal sealed class RungRouter
{
    /// <summary>How far before a skip point a rung's frame may be and still be the first after it: ffmpeg rounds to its output frame rate, half a frame at 15 fps (the degraded rate) at most.</summary>
    private static readonly long s_skipTolerance = MediaTime.FromMilliseconds(34);

    private readonly LiveStream _stream;
    private readonly double _graceSeconds;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Rendition> _renditions = new(StringComparer.Ordinal);
    private readonly HashSet<Rendition> _parked = [];
    private long _outputPts = long.MinValue;
    private long _discontinuityFrom = long.MaxValue;
    private RunRouting? _current;
    private bool _ended;

    public RungRouter(LiveStream stream, double graceSeconds, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        _graceSeconds = graceSeconds;
        _time = time;
        _logger = logger;
    }

    /// <summary>The height of the source the rungs are made from, from the last video config seen.</summary>
    public int SourceHeight => (_stream.Source.Feed.LastVideoConfig as VideoConfig)?.Height ?? 0;

    /// <summary>The latest PTS every rung of the current run has reached, or null before its first output.</summary>
    public long? OutputPts
    {
        get
        {
            var pts = Interlocked.Read(ref _outputPts);
            return pts == long.MinValue ? null : pts;
        }
    }

    /// <summary>Routing for a new ffmpeg run making <paramref name="rungs"/> (PIDs in that order).</summary>
    /// <param name="restored">Rungs back after being dropped: their first frame is marked as a new timeline.</param>
    public RunRouting BeginRun(IReadOnlyList<RenditionOptions> rungs, bool hasAudio, IReadOnlySet<string> restored)
    {
        var routing = new RunRouting(this, rungs, hasAudio ? LadderCommand.AudioPid(rungs.Count) : -1, Interlocked.Read(ref _discontinuityFrom), restored);
        Volatile.Write(ref _current, routing);
        return routing;
    }

    /// <summary>The latest PTS each rung of the current run has reached (rungs without output yet are left out).</summary>
    public Dictionary<string, long> RungProgress() => Volatile.Read(ref _current)?.Progress() ?? [];

    /// <summary>
    /// Source frames before <paramref name="pts"/> were skipped: each rung's first frame from there
    /// on is marked, so packagers end the segment before the hole and start the next one with
    /// EXT-X-DISCONTINUITY.
    /// </summary>
    public void MarkDiscontinuityFrom(long pts) => Interlocked.Exchange(ref _discontinuityFrom, pts);

    /// <summary>Rungs not in <paramref name="rungs"/> are dropped; dropped ones that are back are listed again. Returns the names of those.</summary>
    public IReadOnlySet<string> Retain(IReadOnlyList<RenditionOptions> rungs)
    {
        var keep = rungs.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var restored = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var (name, rendition) in _renditions)
            {
                if (!keep.Contains(name) && !_parked.Contains(rendition) && _stream.RemoveRendition(rendition))
                {
                    _parked.Add(rendition);
                    TranscodeLog.RungDropped(_logger, _stream.Name, name, _graceSeconds);
                    _ = EndAfterGraceAsync(rendition);
                }
                else if (keep.Contains(name) && _parked.Remove(rendition) && _stream.RestoreRendition(rendition))
                {
                    restored.Add(name);
                }
            }
        }

        return restored;
    }

    /// <summary>Ends every rung's feed (the stream ended, or transcoding gave up): their playlists get ENDLIST.</summary>
    public void EndAll()
    {
        List<Rendition> renditions;
        lock (_gate)
        {
            _ended = true;
            renditions = [.. _renditions.Values];
            _renditions.Clear();
            _parked.Clear();
        }

        foreach (var rendition in renditions)
        {
            _stream.RemoveRendition(rendition);
            rendition.Feed.Complete();
        }
    }

    private async Task EndAfterGraceAsync(Rendition rendition)
    {
        await Task.Delay(TimeSpan.FromSeconds(_graceSeconds), _time).ConfigureAwait(false);
        lock (_gate)
        {
            if (!_parked.Remove(rendition))
            {
                return; // restored, or everything already ended
            }

            _renditions.Remove(rendition.Name);
        }

        rendition.Feed.Complete();
    }

    /// <summary>Whether the rung's rendition has had frames before (from an earlier run).</summary>
    private bool HasProduced(RenditionOptions rung)
    {
        lock (_gate)
        {
            return _renditions.TryGetValue(rung.Name, out var rendition) && rendition.Feed.FramesWritten > 0;
        }
    }

    /// <summary>The rung's rendition, added to the stream at its first frame; null once the stream or transcoding has ended.</summary>
    private Rendition? RenditionFor(RenditionOptions rung)
    {
        lock (_gate)
        {
            if (_ended)
            {
                return null;
            }

            if (_renditions.TryGetValue(rung.Name, out var rendition))
            {
                return rendition;
            }

            try
            {
                rendition = _stream.AddRendition(rung.Name);
            }
            catch (InvalidOperationException)
            {
                return null; // the stream ended meanwhile
            }

            _renditions[rung.Name] = rendition;
            return rendition;
        }
    }

    /// <summary>Routes one run's output; called on that run's output loop only.</summary>
    internal sealed class RunRouting
    {
        private readonly RungRouter _router;
        private readonly Rendition?[] _targets;
        private readonly long[] _lastPts;
        private readonly IReadOnlyList<RenditionOptions> _rungs;
        private readonly int _audioPid;
        private readonly long[] _markedUpTo;

        public RunRouting(RungRouter router, IReadOnlyList<RenditionOptions> rungs, int audioPid, long discontinuityFrom, IReadOnlySet<string> restored)
        {
            _router = router;
            _rungs = rungs;
            _audioPid = audioPid;
            _targets = new Rendition?[rungs.Count];
            _lastPts = new long[rungs.Count];
            Array.Fill(_lastPts, long.MinValue);
            _markedUpTo = new long[rungs.Count];
            Array.Fill(_markedUpTo, discontinuityFrom == long.MaxValue ? long.MinValue : discontinuityFrom - 1);
            _restored = [.. rungs.Select(r => restored.Contains(r.Name))];
        }

        private readonly bool[] _restored;

        /// <summary>Consumes <paramref name="output"/>'s frame reference.</summary>
        public void Route(TsFrame output)
        {
            var frame = output.Frame;
            var rung = output.Pid - LadderCommand.FirstPid;
            if (frame.Kind == TrackKind.Video && rung >= 0 && rung < _rungs.Count)
            {
                var target = _targets[rung] ??= _router.RenditionFor(_rungs[rung]);
                if (target is null)
                {
                    frame.Release();
                    return;
                }

                // The first frame at or after the latest skip is where the rung's timeline breaks (ffmpeg
                // rounds timestamps to its frame rate: the rung's frame at the skip can be a little before it).
                var skip = Interlocked.Read(ref _router._discontinuityFrom);
                if (skip != long.MaxValue && frame.Pts >= skip - s_skipTolerance && _markedUpTo[rung] < skip)
                {
                    _markedUpTo[rung] = skip;
                    frame.Discontinuity = _lastPts[rung] != long.MinValue || _router.HasProduced(_rungs[rung]);
                }

                if (_restored[rung])
                {
                    _restored[rung] = false;
                    frame.Discontinuity = true;
                }

                Volatile.Write(ref _lastPts[rung], frame.Pts);
                target.Feed.Write(frame);
                ReportProgress();
                return;
            }

            if (frame.Kind == TrackKind.Audio && output.Pid == _audioPid)
            {
                // A rung's audio starts with its video, so its first segment does not begin with sound alone.
                foreach (var target in _targets)
                {
                    target?.Feed.Write(frame.AddRef());
                }
            }

            frame.Release();
        }

        public Dictionary<string, long> Progress()
        {
            var progress = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var i = 0; i < _rungs.Count; i++)
            {
                var pts = Volatile.Read(ref _lastPts[i]);
                if (pts != long.MinValue)
                {
                    progress[_rungs[i].Name] = pts;
                }
            }

            return progress;
        }

        private void ReportProgress()
        {
            var slowest = long.MaxValue;
            foreach (var pts in _lastPts)
            {
                slowest = Math.Min(slowest, pts);
            }

            if (slowest != long.MinValue)
            {
                Interlocked.Exchange(ref _router._outputPts, slowest);
            }
        }
    }
}
