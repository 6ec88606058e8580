using OnAir.Packaging.Hls;
using OnAir.Testing;
using OnAir.Streams;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>What the origin served and the disk held when the packager published a playlist.</summary>
internal sealed record PublishSnapshot(DateTimeOffset Now, byte[] Playlist, MediaPlaylistText Parsed, IReadOnlyList<string> TsFilesOnDisk, IReadOnlyList<string> Downloadable);

/// <summary>
/// One <see cref="RenditionPackager"/> over a real <see cref="MediaFeed"/>, writing into a
/// temporary directory, on a manual clock. At every publish it records what a player and an
/// operator could see, then moves the clock on by <see cref="ClockStepPerSegment"/> (the media
/// time one segment covers), so wall time follows media time without any real waiting.
/// </summary>
internal sealed class PackagingRun : IDisposable
{
    public const string StreamId = "18f2c0ffee0042";
    public const string RenditionName = "source";

    private readonly TempDirectory _temp = new();
    private readonly RenditionPackager _packager;
    private readonly List<PublishSnapshot> _snapshots = [];
    private readonly HashSet<string> _everListed = new(StringComparer.Ordinal);
    private readonly List<Exception> _publishErrors = [];
    private readonly string _renditionName;

    /// <param name="follows">The timeline of the rendition this one follows (a transcoded rung), or null for a leading source rendition with a timeline of its own.</param>
    public PackagingRun(HlsOptions options, TimeSpan? clockStepPerSegment = null, SegmentTimeline? follows = null, string renditionName = RenditionName)
    {
        Timeline = follows ?? new SegmentTimeline();
        _renditionName = renditionName;
        Options = options;
        ClockStepPerSegment = clockStepPerSegment ?? TimeSpan.FromSeconds(options.TargetDurationSeconds);
        Feed = new MediaFeed(new StreamsOptions { SubscriberQueueFrames = 1_000_000 });
        Output = new StreamOutput("cam", StreamId, _temp.File("cam"));
        Rendition = Output.AddRendition(renditionName);
        _packager = new RenditionPackager(new Rendition(renditionName, Feed), Rendition, Output, Timeline, leads: follows is null, options, Clock, Log, OnPublish);
    }

    /// <summary>The segment boundaries this run leads or follows.</summary>
    public SegmentTimeline Timeline { get; }

    public HlsOptions Options { get; }

    public TimeSpan ClockStepPerSegment { get; }

    public ManualTimeProvider Clock { get; } = new(ManualTimeProvider.DefaultStart);

    public ListLogger Log { get; } = new();

    public MediaFeed Feed { get; }

    public StreamOutput Output { get; }

    public RenditionOutput Rendition { get; }

    public IReadOnlyList<PublishSnapshot> Snapshots => _snapshots;

    /// <summary>File names of every segment that was ever listed, in order of appearance.</summary>
    public IReadOnlyCollection<string> EverListed => _everListed;

    public string PlaylistPath => Path.Combine(Rendition.Directory, "playlist.m3u8");

    public string SegmentPath(string fileName) => Path.Combine(Rendition.Directory, fileName);

    /// <summary>Writes the frames into the feed, ends it, and waits for the packager loop to finish.</summary>
    public async Task RunAsync(IEnumerable<OnAir.Media.MediaFrame> frames)
    {
        foreach (var frame in frames)
        {
            Feed.Write(frame);
        }

        Feed.Complete();
        await _packager.RunAsync(CancellationToken.None);
        if (_publishErrors.Count > 0)
        {
            throw new AggregateException("checks at publish time failed", _publishErrors);
        }

        // Event 2005: the packager loop caught an exception and stopped this rendition.
        Assert.DoesNotContain(Log.Entries, e => e.EventId == 2005);
    }

    public void Dispose()
    {
        _packager.Dispose();
        _temp.Dispose();
    }

    private void OnPublish()
    {
        try
        {
            Record();
        }
        catch (Exception ex)
        {
            // Thrown here, it would be taken for a packaging failure; reported by RunAsync instead.
            _publishErrors.Add(ex);
        }
    }

    private void Record()
    {
        Output.UpdateMaster([_renditionName]);
        var playlist = Rendition.Playlist!;
        var parsed = MediaPlaylistText.Parse(playlist);
        foreach (var segment in parsed.Segments)
        {
            _everListed.Add(segment.Uri);
        }

        var onDisk = Directory.GetFiles(Rendition.Directory, "*.ts").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var downloadable = _everListed.Where(name => Rendition.TryGetSegment(name, out _)).ToList();
        _snapshots.Add(new PublishSnapshot(Clock.GetUtcNow(), playlist, parsed, onDisk!, downloadable));
        if (!parsed.Ended)
        {
            Clock.Advance(ClockStepPerSegment);
        }
    }
}
