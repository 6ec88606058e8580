using System.Text;
using Microsoft.Extensions.Logging;
using OnAir.Media;
using OnAir.Media.Mp4;
using OnAir.Packaging.Hls;

namespace OnAir.Recording;

/// <summary>
/// Turns a recording's fragmented files into what is served: per rendition a progressive MP4 head
/// (the MP4 is that head followed by media.mp4's fragments, no second copy) and a VOD playlist of
/// byte ranges, and a master playlist over the renditions. Reads only box headers and the moof
/// boxes, so an hour of recording is finalised in well under a second. A file cut short by a crash
/// is truncated to its last complete fragment first (the repair).
/// </summary>
internal static class RecordingFinalizer
{
    /// <summary>
    /// Fragments cut by the recorder end exactly where the next begins, pauses included (it closes
    /// them up); a hole or overlap beyond rounding is a jump in time it did not close, and gets EXT-X-DISCONTINUITY.
    /// </summary>
    private static readonly long s_discontinuityTicks = MediaTime.FromMilliseconds(10);

    public static RecordingInfo Finalise(RecordingInfo info, RecordingCatalog catalog, bool repairing, ILogger logger)
    {
        var renditions = new List<RecordedRendition>();
        (int Count, long Ticks) breaks = default;
        foreach (var rendition in info.Renditions)
        {
            var path = catalog.MediaPath(info.Id, rendition.Name);
            if (!File.Exists(path))
            {
                continue;
            }

            RecordedRendition? finalised;
            (int Count, long Ticks) paused;
            try
            {
                (finalised, paused) = FinaliseRendition(info.Id, rendition, path, repairing, logger);
            }
            catch (InvalidMediaException ex)
            {
                RecordingLog.Failed(logger, info.Id, $"rendition {rendition.Name} cannot be finalised: {ex.Message}");
                continue;
            }

            if (finalised is not null)
            {
                renditions.Add(finalised);
                breaks = renditions.Count == 1 ? paused : breaks; // the source's, which the others follow
            }
        }

        var directory = catalog.DirectoryOf(info.Id);
        if (renditions.Count == 0)
        {
            return info with
            {
                State = RecordingState.Failed,
                Renditions = [],
                SizeBytes = DirectorySize(directory),
                Error = info.Error ?? "nothing was recorded: the broadcast ended before its first complete fragment",
            };
        }

        var variants = renditions.Select(r => new RenditionVariant(r.Name, r.PeakBandwidth, r.AverageBandwidth, r.Width, r.Height, r.Codecs, r.FrameRate)).ToList();
        AtomicFile.Write(Path.Combine(directory, RecordingCatalog.MasterFileName), Encoding.UTF8.GetBytes(MasterPlaylistWriter.Write(variants)));
        return info with
        {
            State = RecordingState.Ready,
            Renditions = renditions,
            DurationSeconds = renditions[0].DurationSeconds,
            SizeBytes = DirectorySize(directory),
            Breaks = breaks.Count,
            PausedSeconds = Math.Round(MediaTime.ToSeconds(breaks.Ticks), 3),
        };
    }

    /// <returns>The rendition measured, and the pauses its recorder closed up (count, total length).</returns>
    private static (RecordedRendition? Rendition, (int Count, long Ticks) Paused) FinaliseRendition(string id, RecordedRendition rendition, string path, bool repairing, ILogger logger)
    {
        Fmp4FileIndex index;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read))
        {
            try
            {
                index = Fmp4FileScanner.Scan(file);
            }
            catch (InvalidMediaException)
            {
                return (null, default); // not even an init segment made it to disk
            }

            if (repairing)
            {
                RecordingLog.Repaired(logger, id, rendition.Name, index.ValidLength, index.FileLength - index.ValidLength, index.StoppedBecause ?? "the file ends at a fragment boundary");
            }

            if (index.ValidLength < index.FileLength)
            {
                if (!repairing)
                {
                    RecordingLog.Truncated(logger, id, rendition.Name, index.FileLength - index.ValidLength, index.StoppedBecause ?? "");
                }

                file.SetLength(index.ValidLength);
            }
        }

        if (index.Fragments.Count == 0)
        {
            return (null, default);
        }

        var tables = index.SampleTables();
        var directory = Path.GetDirectoryName(path)!;
        AtomicFile.Write(Path.Combine(directory, RecordingCatalog.ProgressiveHeadFileName), Mp4ProgressiveHeader.Create(tables, index.ValidLength - index.InitLength));
        var segments = Segments(index);
        AtomicFile.Write(Path.Combine(directory, RecordingCatalog.PlaylistFileName), Encoding.UTF8.GetBytes(VodPlaylistWriter.Write(RecordingCatalog.MediaFileName, segments)));

        var seconds = segments.Sum(s => s.DurationSeconds);
        // Peak over whole segments: one cut short by a pause or the end is mostly its keyframe, whose bits per second say nothing of the stream.
        var longest = segments.Max(s => s.DurationSeconds);
        var peak = segments.Where(s => s.DurationSeconds > 0 && s.DurationSeconds >= longest / 2).Select(s => s.Length * 8 / s.DurationSeconds).DefaultIfEmpty(0).Max();
        var video = tables.Find(t => t.Track.Kind == TrackKind.Video);
        // Every init segment's parameters: the master playlist declares each codec profile and the largest picture a player meets.
        var configs = index.Inits.SelectMany(i => i.Tracks).Select(t => t.ReadCodecConfig()).ToList();
        var largest = configs.OfType<VideoConfig>().MaxBy(c => c.Width * c.Height);
        var measured = new RecordedRendition(rendition.Name, string.Join(',', configs.Select(c => c.CodecString).Distinct(StringComparer.Ordinal)), largest?.Width ?? 0, largest?.Height ?? 0)
        {
            DurationSeconds = Math.Round(seconds, 3),
            SizeBytes = index.ValidLength,
            PeakBandwidth = (long)Math.Ceiling(peak),
            AverageBandwidth = seconds > 0 ? (long)Math.Ceiling(index.ValidLength * 8 / seconds) : 0,
            FrameRate = video is not null && seconds > 0 ? Math.Round(video.Samples.Count / seconds, 3) : 0,
            InitBytes = index.InitLength,
        };
        var pauses = index.Fragments.Where(f => f.PausedBefore is not null).ToList();
        return (measured, (pauses.Count, pauses.Sum(f => f.PausedBefore!.Value)));
    }

    /// <summary>
    /// A segment per fragment, timed by the track that drives the cuts (video, else audio): up to
    /// the next fragment's start where the media is continuous, its own samples' length before a break.
    /// </summary>
    internal static List<VodSegment> Segments(Fmp4FileIndex index)
    {
        var driver = (index.Tracks.FirstOrDefault(t => t.Kind == TrackKind.Video) ?? index.Tracks[0]).TrackId;
        var starts = index.Fragments.Select(f => f.Runs.FirstOrDefault(r => r.TrackId == driver) ?? f.Runs[0]).ToList();
        var segments = new List<VodSegment>(index.Fragments.Count);
        for (var i = 0; i < index.Fragments.Count; i++)
        {
            var run = starts[i];
            var duration = run.Duration;
            if (i + 1 < starts.Count)
            {
                if (MediaTime.IsWithin(starts[i + 1].BaseDecodeTime, (Int128)run.BaseDecodeTime + run.Duration, s_discontinuityTicks, out _))
                {
                    duration = starts[i + 1].BaseDecodeTime - run.BaseDecodeTime;
                }
            }

            var breaksBefore = i > 0 && !MediaTime.IsWithin(run.BaseDecodeTime, (Int128)starts[i - 1].BaseDecodeTime + starts[i - 1].Duration, s_discontinuityTicks, out _);
            var fragment = index.Fragments[i];
            var init = index.Inits[fragment.Init];
            segments.Add(new VodSegment(fragment.Offset, fragment.Length, MediaTime.ToSeconds(Math.Max(0, duration)), breaksBefore, init.Offset, init.Length));
        }

        return segments;
    }

    private static long DirectorySize(string directory) =>
        Directory.Exists(directory) ? Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) : 0;
}
