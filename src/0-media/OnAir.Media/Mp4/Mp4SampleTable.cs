namespace OnAir.Media.Mp4;

/// <summary>One sample as a progressive MP4's sample tables describe it (90 kHz ticks).</summary>
public readonly record struct Mp4Sample(uint Duration, uint Size, bool IsSync, int CompositionOffset);

/// <summary>A run of samples stored back to back at <see cref="Offset"/> (relative to the start of the media data).</summary>
public readonly record struct Mp4Chunk(long Offset, int SampleCount);

/// <summary>
/// Every sample of one track in decode order and the chunks that hold them: what the <c>stbl</c>
/// of a progressive MP4 is written from. Gathered from a fragmented file's <c>trun</c>s, so time is
/// only the sum of durations: a pause between fragments (a publisher's reconnect) closes up.
/// </summary>
public sealed class Mp4SampleTable
{
    public Mp4SampleTable(Mp4Track track) => Track = track;

    public Mp4Track Track { get; }

    public List<Mp4Sample> Samples { get; } = [];

    public List<Mp4Chunk> Chunks { get; } = [];

    /// <summary>Sum of the sample durations, 90 kHz.</summary>
    public long Duration { get; private set; }

    /// <summary>
    /// Where in the track's own media its presentation begins (the edit list's media time), 90 kHz:
    /// every track starts at the moment the last of them has its first sample to present, so audio
    /// and video begin together and stay as they were live.
    /// </summary>
    public long PresentationStart { get; set; }

    /// <summary>How long the track plays: its samples from <see cref="PresentationStart"/> on.</summary>
    public long PresentedDuration => Math.Max(0, Duration - PresentationStart);

    public void AddChunk(long offset, ReadOnlySpan<Mp4Sample> samples)
    {
        if (samples.IsEmpty)
        {
            return;
        }

        Chunks.Add(new Mp4Chunk(offset, samples.Length));
        foreach (var sample in samples)
        {
            Samples.Add(sample);
            Duration += sample.Duration;
        }
    }
}
