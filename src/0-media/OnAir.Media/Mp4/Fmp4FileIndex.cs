namespace OnAir.Media.Mp4;

/// <summary>
/// An init segment (ftyp + moov) of a fragmented MP4 file: the first at its start, a later one
/// where the codec parameters changed (an encoder's new settings), with the same tracks.
/// </summary>
public sealed record Fmp4Init(long Offset, long Length, IReadOnlyList<Mp4Track> Tracks);

/// <summary>One complete fragment of a fragmented MP4 file: its moof and mdat, and the samples they hold.</summary>
/// <param name="PausedBefore">A <see cref="Fmp4BreakMarker"/> came before it: the media paused this long (90 kHz) and the recording closed it up; null when none did.</param>
/// <param name="Init">Which of the file's init segments (<see cref="Fmp4FileIndex.Inits"/>) describes its samples: the last before it.</param>
public sealed record Fmp4Fragment(long Offset, long Length, IReadOnlyList<Fmp4TrackRun> Runs, long? PausedBefore = null, int Init = 0);

/// <summary>
/// What a scan of a fragmented MP4 file found (<see cref="Fmp4FileScanner"/>): the init segments
/// (ftyp + moov) and their tracks, every complete fragment, and where the complete part of the file
/// ends. A file cut short by a crash ends in a partial box: <see cref="ValidLength"/> excludes it.
/// </summary>
public sealed record Fmp4FileIndex(IReadOnlyList<Fmp4Init> Inits, IReadOnlyList<Fmp4Fragment> Fragments, long ValidLength, long FileLength, string? StoppedBecause)
{
    /// <summary>The first init segment's length: it starts the file.</summary>
    public long InitLength => Inits[0].Length;

    /// <summary>The longest hole between a track's fragments that its progressive timeline keeps (OnAir writes fragments at <see cref="Fmp4Tracks.Timescale"/>).</summary>
    public const int MaxHeldHoleSeconds = 30;

    /// <summary>The tracks, as the first init segment describes them (later ones keep the ids and kinds).</summary>
    public IReadOnlyList<Mp4Track> Tracks => Inits[0].Tracks;

    /// <summary>
    /// Sample tables of every track, chunk offsets relative to the end of the init segment: the
    /// data of a progressive MP4 that keeps the fragments' bytes. A fragment's last sample is given
    /// the duration up to where the track's next fragment starts (tfdt), so the progressive timeline
    /// matches the fragmented one sample for sample, holes included (a transcoder that dropped
    /// input, an audio dropout: the sample before is held, and the tracks stay in sync); a jump of
    /// more than <see cref="MaxHeldHoleSeconds"/> is closed up instead (the recorder closes a
    /// publisher's pause itself, so only a damaged file has one). A track whose codec parameters
    /// changed gets a sample description per init segment, each chunk pointing at its own.
    /// </summary>
    public List<Mp4SampleTable> SampleTables()
    {
        var tables = new List<Mp4SampleTable>();
        var firstRuns = new List<Fmp4TrackRun>();
        foreach (var track in Tracks)
        {
            var runs = Fragments.SelectMany(f => f.Runs.Select(r => (Run: r, f.Init))).Where(r => r.Run.TrackId == track.TrackId && r.Run.Samples.Length > 0).ToList();
            if (runs.Count == 0)
            {
                continue;
            }

            var table = new Mp4SampleTable(track);
            for (var i = 0; i < runs.Count; i++)
            {
                var (run, init) = runs[i];
                var samples = run.Samples;
                if (i + 1 < runs.Count)
                {
                    var last = samples[^1];
                    if (MediaTime.IsWithin(runs[i + 1].Run.BaseDecodeTime, (Int128)run.BaseDecodeTime + run.Duration, MaxHeldHoleSeconds * Fmp4Tracks.Timescale, out var drift)
                        && drift > -last.Duration && drift != 0)
                    {
                        samples = (Mp4Sample[])samples.Clone();
                        samples[^1] = last with { Duration = (uint)(last.Duration + drift) };
                    }
                }

                var description = Inits[init].Tracks.First(t => t.TrackId == track.TrackId).SampleDescription;
                table.AddChunk(run.DataOffset - InitLength, samples, description);
            }

            tables.Add(table);
            firstRuns.Add(runs[0].Run);
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
