using OnAir.Testing;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// Disk use while live: a segment that left the window stays downloadable (a player that loaded
/// the previous playlist may still ask for it) for the retention, then it is deleted.
/// </summary>
public sealed class RetentionTests : IDisposable
{
    private static readonly HlsOptions s_options = new() { WindowSegments = 3, SegmentRetentionSeconds = 7 };
    private readonly VectorFrames _vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
    private readonly PackagingRun _run = new(s_options);

    public void Dispose()
    {
        _run.Dispose();
        _vector.Dispose();
    }

    [Fact]
    public async Task Retired_segments_stay_downloadable_for_the_retention_and_no_other_file_stays_on_disk()
    {
        await _run.RunAsync(LoopedFrames.Loop(_vector, 10));
        var retention = TimeSpan.FromSeconds(s_options.SegmentRetentionSeconds);

        var retiredAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var listedBefore = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? lastCleanup = null; // the packager deletes expired segments right after each publish
        var sawRetiredKept = false;
        foreach (var snapshot in _run.Snapshots)
        {
            var listed = snapshot.Parsed.Segments.Select(s => s.Uri).ToHashSet(StringComparer.Ordinal);
            foreach (var gone in listedBefore.Except(listed))
            {
                retiredAt.TryAdd(gone, snapshot.Now);
            }

            listedBefore.UnionWith(listed);
            var expected = listed
                .Concat(retiredAt.Where(r => lastCleanup is not { } cleanup || cleanup - r.Value < retention).Select(r => r.Key))
                .Order(StringComparer.Ordinal)
                .ToList();
            Assert.Equal(expected, snapshot.TsFilesOnDisk);
            Assert.Equal(expected, snapshot.Downloadable.Order(StringComparer.Ordinal));
            sawRetiredKept |= expected.Count > listed.Count;
            Assert.True(snapshot.TsFilesOnDisk.Count <= s_options.WindowSegments + Math.Ceiling(s_options.SegmentRetentionSeconds / s_options.TargetDurationSeconds) + 1);
            lastCleanup = snapshot.Now;
        }

        Assert.True(sawRetiredKept, "no retired segment was ever kept");
        Assert.True(retiredAt.Count >= 5);
    }

    [Fact]
    public async Task A_retired_segment_is_deleted_exactly_when_its_retention_has_passed()
    {
        await _run.RunAsync(LoopedFrames.Loop(_vector, 6));
        var retention = TimeSpan.FromSeconds(s_options.SegmentRetentionSeconds);

        // The segment that left the window last, and when (the publish at which it disappeared).
        var live = _run.Snapshots.Where(s => !s.Parsed.Ended).ToList();
        var lastLive = live[^1];
        var before = live[^2];
        var retired = before.Parsed.Segments[0].Uri;
        Assert.DoesNotContain(lastLive.Parsed.Segments, s => s.Uri == retired);
        var retiredAt = lastLive.Now;
        var listed = _run.Rendition.Playlist is { } p ? MediaPlaylistText.Parse(p).Segments.Select(s => s.Uri).ToList() : [];

        _run.Clock.AdvanceTo(retiredAt + retention - TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, _run.Rendition.DeleteExpired(_run.Clock.GetUtcNow(), retention)); // the two retired earlier
        Assert.True(_run.Rendition.TryGetSegment(retired, out var segment));
        Assert.True(File.Exists(segment!.FilePath));

        _run.Clock.AdvanceTo(retiredAt + retention);
        Assert.Equal(1, _run.Rendition.DeleteExpired(_run.Clock.GetUtcNow(), retention));
        Assert.False(_run.Rendition.TryGetSegment(retired, out _));
        Assert.False(File.Exists(segment.FilePath));

        // Segments still listed are never deleted by retention, however late it is.
        _run.Clock.Advance(TimeSpan.FromDays(1));
        _run.Rendition.DeleteExpired(_run.Clock.GetUtcNow(), retention);
        Assert.Equal(s_options.WindowSegments, listed.Count);
        Assert.All(listed, name =>
        {
            Assert.True(_run.Rendition.TryGetSegment(name, out var s));
            Assert.True(File.Exists(s!.FilePath));
        });
        Assert.Equal(listed.Order(StringComparer.Ordinal), Directory.GetFiles(_run.Rendition.Directory, "*.ts").Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}
