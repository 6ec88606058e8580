using Microsoft.Extensions.Logging;
using OnAir.Streams;

namespace OnAir.Packaging.Hls;

/// <summary>
/// Packages every rendition of one stream, including those added while it runs (transcoded
/// rungs), and keeps its master playlist current in the stream's rendition order.
/// </summary>
internal sealed class StreamPackager
{
    private readonly LiveStream _stream;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<RenditionPackager> _packagers = [];
    private readonly List<Task> _runs = [];
    private readonly SegmentTimeline _timeline = new();
    private CancellationToken _cancellation;
    private bool _running;

    /// <summary>Subscribes to every rendition at once (the caller is the stream's start event), so no keyframe is missed.</summary>
    public StreamPackager(LiveStream stream, StreamOutput output, HlsOptions options, TimeProvider time, ILogger logger)
    {
        _stream = stream;
        Output = output;
        _options = options;
        _time = time;
        _logger = logger;
        stream.RenditionAdded += OnRenditionAdded;
        foreach (var rendition in stream.Renditions)
        {
            Add(rendition);
        }
    }

    public StreamOutput Output { get; }

    /// <summary>Runs until every rendition's feed has ended, then marks the output ended.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
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
            _stream.RenditionAdded -= OnRenditionAdded;
            lock (_gate)
            {
                foreach (var packager in _packagers)
                {
                    packager.Dispose();
                }
            }

            Output.MarkEnded(_time.GetUtcNow());
        }
    }

    private void OnRenditionAdded(LiveStream stream, Rendition rendition)
    {
        lock (_gate)
        {
            var packager = Add(rendition);
            if (_running)
            {
                _runs.Add(Start(packager));
            }
        }
    }

    private RenditionPackager Add(Rendition rendition)
    {
        var output = Output.AddRendition(rendition.Name);
        // The first rendition (source) leads the segment boundaries; renditions added later follow it.
        var packager = new RenditionPackager(rendition, output, Output, _timeline, leads: _packagers.Count == 0, _options, _time, _logger, () => Output.UpdateMaster(_stream.Renditions.Select(r => r.Name), rendition.Name));
        _packagers.Add(packager);
        return packager;
    }

    private Task Start(RenditionPackager packager) => Task.Run(() => packager.RunAsync(_cancellation), CancellationToken.None);
}
