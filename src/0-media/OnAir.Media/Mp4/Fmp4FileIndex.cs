namespace OnAir.Media.Mp4;

/// <summary>One complete fragment of a fragmented MP4 file: its moof and mdat, and the samples they hold.</summary>
/// <param name="PausedBefore">A <see cref="Fmp4BreakMarker"/> came before it: the media paused this long (90 kHz) and the recording closed it up; null when none did.</param>
public sealed record Fmp4Fragment(long Offset, long Length, IReadOnlyList<Fmp4TrackRun> Runs, long? PausedBefore = null);

/// <summary>
/// What a scan of a fragmented MP4 file found (<see cref="Fmp4FileScanner"/>): the init segment
/// (ftyp + moov) and its tracks, every complete fragment, and where the complete part of the file
/// ends. A file cut short by a crash ends in a partial box: <see cref="ValidLength"/> excludes it.
/// </summary>
public sealed record Fmp4FileIndex(long InitLength, IReadOnlyList<Mp4Track> Tracks, IReadOnlyList<Fmp4Fragment> Fragments, long ValidLength, long FileLength, string? StoppedBecause)
{
    /// <summary>
    /// Sample tables of every track, chunk offsets relative to the end of the init segment: the
    /// data of a progressive MP4 that keeps the fragments' bytes. A fragment's last sample is given
    /// the duration up to where the track's next fragment starts (tfdt), so the progressive timeline
    /// matches the fragmented one sample for sample; a jump of more than a sample (a publisher's
    /// reconnect) is closed up instead.
    /// </summary>
    public List<Mp4SampleTable> SampleTables()
    {
        var tables = new List<Mp4SampleTable>();
        var firstRuns = new List<Fmp4TrackRun>();
        foreach (var track in Tracks)
        {
            var runs = Fragments.SelectMany(f => f.Runs).Where(r => r.TrackId == track.TrackId && r.Samples.Length > 0).ToList();
            if (runs.Count == 0)
            {
                continue;
            }

            var table = new Mp4SampleTable(track);
            for (var i = 0; i < runs.Count; i++)
            {
                var samples = runs[i].Samples;
                if (i + 1 < runs.Count)
                {
                    var last = samples[^1];
                    var drift = runs[i + 1].BaseDecodeTime - (runs[i].BaseDecodeTime + runs[i].Duration);
                    if (Math.Abs(drift) < last.Duration)
                    {
                        samples = (Mp4Sample[])samples.Clone();
                        samples[^1] = last with { Duration = (uint)(last.Duration + drift) };
                    }
                }

                table.AddChunk(runs[i].DataOffset - InitLength, samples);
            }

            tables.Add(table);
            firstRuns.Add(runs[0]);
        }

        // Presentation begins when the last track has its first sample to present (video with B-frames
        // a composition offset after its first decode time); each track skips what comes before.
        var start = firstRuns.Count == 0 ? 0 : firstRuns.Max(r => r.BaseDecodeTime + Math.Max(0, r.Samples[0].CompositionOffset));
        for (var i = 0; i < tables.Count; i++)
        {
            tables[i].PresentationStart = Math.Clamp(start - firstRuns[i].BaseDecodeTime, 0, tables[i].Duration);
        }

        return tables;
    }
}
