using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace OnAir.Packaging.Hls;

/// <summary>
/// The one owner of a stream's master playlist. Rendition loops only say that their variant
/// changed; this loop rebuilds the playlist from every rendition's latest measure and writes it,
/// so two renditions closing segments at once never race to write it (the slower writer used to
/// win with an older view). Changes that arrive while it writes fold into one rebuild.
/// </summary>
internal sealed class MasterPlaylistPublisher
{
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, AllowSynchronousContinuations = false });

    private readonly StreamOutput _output;
    private readonly Func<IEnumerable<string>> _renditionOrder;
    private readonly ILogger _logger;

    /// <param name="renditionOrder">The stream's renditions in the order the master lists them (source first).</param>
    public MasterPlaylistPublisher(StreamOutput output, Func<IEnumerable<string>> renditionOrder, ILogger logger)
    {
        _output = output;
        _renditionOrder = renditionOrder;
        _logger = logger;
    }

    /// <summary>Any thread: a rendition's variant changed. Never waits.</summary>
    public void VariantChanged() => _changes.Writer.TryWrite(true);

    /// <summary>No more changes: <see cref="RunAsync"/> finishes after the last rebuild.</summary>
    public void Complete() => _changes.Writer.TryComplete();

    public async Task RunAsync()
    {
        await foreach (var _ in _changes.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                _output.UpdateMaster(_renditionOrder());
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                PackagingLog.OutputFailed(_logger, ex, _output.Name, _output.Directory);
            }
        }
    }
}
