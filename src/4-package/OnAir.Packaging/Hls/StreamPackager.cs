using Microsoft.Extensions.Logging;
using OnAir.Streams;

namespace OnAir.Packaging.Hls;

/// <summary>Packages every rendition of one stream and keeps its master playlist current.</summary>
internal sealed class StreamPackager
{
    private readonly List<RenditionPackager> _packagers = [];
    private readonly TimeProvider _time;

    /// <summary>Subscribes to every rendition at once (the caller is the stream's start event), so no keyframe is missed.</summary>
    public StreamPackager(LiveStream stream, StreamOutput output, HlsOptions options, TimeProvider time, ILogger logger)
    {
        Output = output;
        _time = time;
        var order = stream.Renditions.Select(r => r.Name).ToArray();
        foreach (var rendition in stream.Renditions)
        {
            var renditionOutput = output.AddRendition(rendition.Name);
            _packagers.Add(new RenditionPackager(rendition, renditionOutput, output, options, time, logger, () => output.UpdateMaster(order, rendition.Name)));
        }
    }

    public StreamOutput Output { get; }

    /// <summary>Runs until every rendition's feed has ended, then marks the output ended.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            var runs = _packagers.Select(p => Task.Run(() => p.RunAsync(cancellationToken), CancellationToken.None));
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        finally
        {
            foreach (var packager in _packagers)
            {
                packager.Dispose();
            }

            Output.MarkEnded(_time.GetUtcNow());
        }
    }
}
