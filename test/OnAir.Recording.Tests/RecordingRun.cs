using Microsoft.Extensions.Logging.Abstractions;
using OnAir.Media;
using OnAir.Streams;
using OnAir.Testing;

namespace OnAir.Recording.Tests;

/// <summary>
/// One recording made the way the service makes it, without a server: frames written into the
/// renditions' feeds, a <see cref="StreamRecording"/> recording them into a temporary data
/// directory, then finalised.
/// </summary>
internal sealed class RecordingRun : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly StreamRecording _recording;

    public RecordingRun(long? sizeLimit = null, params string[] renditions)
    {
        Catalog = new RecordingCatalog(new DataDirectory(_temp.File("data")));
        Budget = new RecordingBudget(sizeLimit);
        var info = Catalog.Create("cam", DateTimeOffset.UnixEpoch, id => new RecordingInfo(id, "cam", "session", DateTimeOffset.UnixEpoch, RecordingState.Recording, []));
        _recording = new StreamRecording(info, Catalog, fragmentSeconds: 2, Budget, TimeProvider.System, NullLogger.Instance, metrics: null);
        foreach (var name in renditions.Length == 0 ? [Rendition.SourceName] : renditions)
        {
            var feed = new MediaFeed(new StreamsOptions { SubscriberQueueFrames = 1_000_000 });
            Feeds[name] = feed;
            _recording.Add(new Rendition(name, feed));
        }
    }

    public RecordingCatalog Catalog { get; }

    public RecordingBudget Budget { get; }

    public Dictionary<string, MediaFeed> Feeds { get; } = new(StringComparer.Ordinal);

    public string? StoppedBecause => _recording.StoppedBecause;

    /// <summary>
    /// Writes a copy of each frame into the rendition's feed, <paramref name="shift"/> ticks later; the
    /// first one marked as a new session when asked; with <paramref name="keyFrames"/> false, no video frame marked as a keyframe.
    /// </summary>
    public void Write(IEnumerable<MediaFrame> frames, long shift = 0, bool newSession = false, string rendition = Rendition.SourceName, bool keyFrames = true)
    {
        foreach (var frame in frames)
        {
            var key = frame.IsKeyFrame && (keyFrames || frame.Kind == TrackKind.Audio);
            var copy = MediaFrame.Create(frame.Kind, frame.Dts + shift, frame.Pts + shift, key, frame.Config, frame.Span);
            copy.Discontinuity = newSession;
            newSession = false;
            Feeds[rendition].Write(copy);
        }
    }

    /// <summary>Ends the feeds, waits for the recorders and finalises, as the service does when the stream ends.</summary>
    public async Task<RecordingInfo> FinishAsync()
    {
        foreach (var feed in Feeds.Values)
        {
            feed.Complete();
        }

        var info = await _recording.CompleteAsync(DateTimeOffset.UnixEpoch.AddHours(1));
        return RecordingFinalizer.Finalise(info, Catalog, repairing: false, NullLogger.Instance);
    }

    /// <summary>The progressive MP4 as /vod/ID.mp4 serves it: the head, then the fragments in place.</summary>
    public string WriteProgressive(RecordingInfo info, string? renditionName = null)
    {
        var rendition = renditionName is null ? info.Renditions[0] : info.Renditions.Single(r => r.Name == renditionName);
        var directory = Catalog.RenditionDirectory(info.Id, rendition.Name);
        var path = _temp.File($"progressive-{rendition.Name}.mp4");
        using var output = File.Create(path);
        output.Write(File.ReadAllBytes(Path.Combine(directory, RecordingCatalog.ProgressiveHeadFileName)));
        using var media = File.OpenRead(Path.Combine(directory, RecordingCatalog.MediaFileName));
        media.Position = rendition.InitBytes;
        media.CopyTo(output);
        return path;
    }

    public string Playlist(RecordingInfo info, string rendition = Rendition.SourceName) =>
        File.ReadAllText(Path.Combine(Catalog.RenditionDirectory(info.Id, rendition), RecordingCatalog.PlaylistFileName));

    public void Dispose() => _temp.Dispose();
}
