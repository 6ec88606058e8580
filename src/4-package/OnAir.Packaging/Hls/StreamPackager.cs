using Microsoft.Extensions.Logging;
using OnAir.Streams;

namespace OnAir.Packaging.Hls;

/// <summary>
/// Packages every rendition of one stream, including those added while it runs (transcoded
/// rungs), with one <see cref="MasterPlaylistPublisher"/> keeping the master playlist current in the stream's rendition order. While the
/// publisher is lost, a clock wakes every rendition's packager so its playlist keeps advancing
/// in real time with gap segments.
/// </summary>
internal sealed class StreamPackager
{
    /// <summary>How often packagers are woken while the publisher is away: a gap segment is listed at most this late.</summary>
    private static readonly TimeSpan s_gapClockPeriod = TimeSpan.FromMilliseconds(250);

    private readonly LiveStream _stream;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<RenditionPackager> _packagers = [];
    private readonly List<Task> _runs = [];
    private readonly SegmentTimeline _timeline = new();
    private readonly PackagingMetrics? _metrics;
    private readonly MasterPlaylistPublisher _master;
    private CancellationToken _cancellation;
    private CancellationTokenSource? _gapClock;
    private bool _running;

    /// <summary>Subscribes to every rendition the stream has now; the feeds' GOP caches hold their first keyframes.</summary>
    public StreamPackager(LiveStream stream, StreamOutput output, HlsOptions options, TimeProvider time, ILogger logger, PackagingMetrics? metrics = null)
    {
        _metrics = metrics;
        _stream = stream;
        Output = output;
        _options = options;
        _time = time;
        _logger = logger;
        _master = new MasterPlaylistPublisher(output, () => stream.Renditions.Select(r => r.Name), logger);
        foreach (var rendition in stream.Renditions)
        {
            Add(rendition);
        }
    }

    public StreamOutput Output { get; }

    /// <summary>Runs until every rendition's feed has ended, then marks the output ended.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var masterRun = _master.RunAsync();
        try
        {
            lock (_gate)
            {
                _cancellation = cancellationToken;
                _running = true;
                foreach (var packager in _packagers)
                {
                    _runs.Add(Start(packager));
                }
            }

            // Renditions may be added while the others run: wait until a round adds none.
            while (true)
            {
                Task[] runs;
                lock (_gate)
                {
                    runs = [.. _runs];
                }

                await Task.WhenAll(runs).ConfigureAwait(false);
                lock (_gate)
                {
                    if (_runs.Count == runs.Length)
                    {
                        _running = false;
                        break;
                    }
                }
            }
        }
        finally
        {
            OnPublisherBack(); // stops the gap clock
            lock (_gate)
            {
                foreach (var packager in _packagers)
                {
                    packager.Dispose();
                }
            }

            _master.Complete();
            await masterRun.ConfigureAwait(false);
            Output.MarkEnded(_time.GetUtcNow());
        }
    }

    /// <summary>Packages a rendition added while the stream runs (a rendition already packaged is ignored).</summary>
    public void Add(Rendition rendition)
    {
        lock (_gate)
        {
            if (_packagers.Exists(p => p.Rendition == rendition) || (!_running && _runs.Count > 0))
            {
                return; // already packaged, or everything has finished
            }

            var output = Output.AddRendition(rendition.Name);
            // The first rendition (source) leads the segment boundaries; renditions added later follow it.
            var packager = new RenditionPackager(rendition, output, Output, _timeline, leads: _packagers.Count == 0, _options, _time, _logger, _master.VariantChanged, _metrics);
            _packagers.Add(packager);
            if (_running)
            {
                _runs.Add(Start(packager));
            }
        }
    }

    /// <summary>The publisher is gone for now: wake the packagers on a clock so they list gap segments in real time.</summary>
    public void OnPublisherLost()
    {
        lock (_gate)
        {
            if (_gapClock is not null)
            {
                return;
            }

            _gapClock = new CancellationTokenSource();
            _ = RunGapClockAsync(_gapClock.Token);
        }
    }

    /// <summary>The publisher is back (or the stream is over): media drives the playlists again.</summary>
    public void OnPublisherBack()
    {
        CancellationTokenSource? clock;
        lock (_gate)
        {
            clock = _gapClock;
            _gapClock = null;
        }

        if (clock is not null)
        {
            clock.Cancel();
            clock.Dispose();
        }
    }

    private async Task RunGapClockAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(s_gapClockPeriod, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                RenditionPackager[] packagers;
                lock (_gate)
                {
                    packagers = [.. _packagers];
                }

                foreach (var packager in packagers)
                {
                    packager.Wake();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task Start(RenditionPackager packager) => Task.Run(() => packager.RunAsync(_cancellation), CancellationToken.None);
}
