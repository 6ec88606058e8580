namespace OnAir.Media.Mp4;

/// <summary>One sample as a progressive MP4's sample tables describe it (90 kHz ticks).</summary>
public readonly record struct Mp4Sample(uint Duration, uint Size, bool IsSync, int CompositionOffset);

/// <summary>A run of samples stored back to back at <see cref="Offset"/> (relative to the start of the media data), described by the 1-based entry <see cref="DescriptionIndex"/> of the track's stsd.</summary>
public readonly record struct Mp4Chunk(long Offset, int SampleCount, int DescriptionIndex = 1);

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

    /// <summary>The sample descriptions (stsd boxes of one entry each) the chunks use, in order of first use; empty before the first chunk.</summary>
    public List<byte[]> SampleDescriptions { get; } = [];

    /// <summary>The stsd box of the progressive file: every sample description the chunks use, or the track's own when none was given.</summary>
    public byte[] SampleDescription => SampleDescriptions.Count == 0 ? Track.SampleDescription : Mp4Track.JoinSampleDescriptions(SampleDescriptions);

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

    /// <param name="sampleDescription">The stsd box describing these samples; null for the track's own.</param>
    public void AddChunk(long offset, ReadOnlySpan<Mp4Sample> samples, byte[]? sampleDescription = null)
    {
        if (samples.IsEmpty)
        {
            return;
        }

        sampleDescription ??= Track.SampleDescription;
        var index = SampleDescriptions.FindIndex(d => d.AsSpan().SequenceEqual(sampleDescription));
        if (index < 0)
        {
            SampleDescriptions.Add(sampleDescription);
            index = SampleDescriptions.Count - 1;
        }

        Chunks.Add(new Mp4Chunk(offset, samples.Length, index + 1));
        foreach (var sample in samples)
        {
            Samples.Add(sample);
            Duration += sample.Duration;
        }
    }
}
