using OnAir.Media.Mp4;

namespace OnAir.Recording;

/// <summary>
/// Copies a time range of a finished recording into a new one, without re-encoding: per rendition
/// the init segment and the fragments that cover the range. Fragments start at keyframes, so the
/// clip starts on one; it may begin up to one fragment before the asked start.
/// </summary>
internal static class ClipMaker
{
    /// <summary>The clip's metadata (state recording until finalised) and the bytes it wrote.</summary>
    /// <param name="now">When the clip is made: its id and its age for retention.</param>
    public static (RecordingInfo Info, long Bytes) Create(RecordingInfo source, double start, double end, DateTimeOffset now, RecordingCatalog catalog, RecordingBudget budget, Microsoft.Extensions.Logging.ILogger logger)
    {
        if (source.State != RecordingState.Ready)
        {
            throw new InvalidOperationException($"recording {source.Id} is {source.State.ToString().ToLowerInvariant()}; clips are cut from ready recordings");
        }

        if (!(start >= 0 && end > start && start < source.DurationSeconds))
        {
            throw new ArgumentException($"the range {start}..{end} s is empty or outside the recording (0..{source.DurationSeconds} s)");
        }

        // Its own time in the id: an id is never reused, so a cache never serves an earlier clip's bytes under it.
        var stem = $"{source.Id}-clip-{now.UtcDateTime.ToString("HHmmssfff", System.Globalization.CultureInfo.InvariantCulture)}";
        var info = catalog.CreateUnique(stem, id => new RecordingInfo(id, source.Stream, source.SessionId, source.StartedAt.AddSeconds(start), RecordingState.Recording, source.Renditions) { ClipOf = source.Id, EndedAt = now });
        long written = 0;
        try
        {
            foreach (var rendition in source.Renditions)
            {
                written += CopyRange(catalog.MediaPath(source.Id, rendition.Name), catalog.MediaPath(info.Id, rendition.Name), start, end, budget);
            }

            catalog.Save(info);
            return (info, written);
        }
        catch
        {
            catalog.TryRemove(info.Id, _ => true, out _);
            catalog.DeleteFiles(info.Id, logger);
            budget.Adjust(-written);
            throw;
        }
    }

    private static long CopyRange(string sourcePath, string clipPath, double start, double end, RecordingBudget budget)
    {
        using var source = new FileStream(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var index = Fmp4FileScanner.Scan(source);
        var segments = RecordingFinalizer.Segments(index);
        int first = 0, last = -1;
        var at = 0.0;
        for (var i = 0; i < segments.Count; i++)
        {
            if (at <= start)
            {
                first = i;
            }

            if (at < end)
            {
                last = i;
            }

            at += segments[i].DurationSeconds;
        }

        // The init segment the first fragment decodes with; any written later in the range come along with the fragments.
        var (initOffset, initLength) = (segments[first].InitOffset, segments[first].InitLength);
        var from = segments[first].Offset;
        var to = segments[last].Offset + segments[last].Length;
        var bytes = initLength + (to - from);
        if (!budget.TryReserve(bytes))
        {
            throw new IOException($"recording.maxTotalMegabytes ({budget.Limit / (1024 * 1024)} MiB) leaves no room for a clip of {bytes} bytes");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(clipPath)!);
            using var clip = new FileStream(clipPath, FileMode.CreateNew, FileAccess.Write, FileShare.Read);
            CopyBytes(source, initOffset, initLength, clip);
            CopyBytes(source, from, to - from, clip);
            clip.Flush(flushToDisk: true);
            return bytes;
        }
        catch
        {
            budget.Adjust(-bytes); // reserved, never written
            throw;
        }
    }

    private static void CopyBytes(FileStream source, long offset, long length, Stream destination)
    {
        source.Position = offset;
        var buffer = new byte[81920];
        while (length > 0)
        {
            var read = source.Read(buffer, 0, (int)Math.Min(buffer.Length, length));
            if (read == 0)
            {
                throw new IOException($"{source.Name} ended {length} bytes early");
            }

            destination.Write(buffer, 0, read);
            length -= read;
        }
    }
}
