namespace OnAir.Media.Mp4;

/// <summary>The sample tables of a progressive MP4 track (ISO/IEC 14496-12 section 8.6-8.7): stts, ctts, stss, stsc, stsz, stco/co64.</summary>
internal static class SampleTableBoxes
{
    public static void Write(ref BoxWriter box, Mp4SampleTable table, long chunkOffsetBase, bool wideOffsets)
    {
        var samples = table.Samples;
        WriteTimeToSample(ref box, samples);
        WriteCompositionOffsets(ref box, samples);
        WriteSyncSamples(ref box, samples);
        WriteSampleToChunk(ref box, table.Chunks);
        var stsz = box.BeginFull("stsz"u8, 0, 0);
        box.U32(0); // sizes vary
        box.U32((uint)samples.Count);
        foreach (var sample in samples)
        {
            box.U32(sample.Size);
        }

        box.End(stsz);
        var offsets = box.BeginFull(wideOffsets ? "co64"u8 : "stco"u8, 0, 0);
        box.U32((uint)table.Chunks.Count);
        foreach (var chunk in table.Chunks)
        {
            if (wideOffsets)
            {
                box.U64((ulong)(chunkOffsetBase + chunk.Offset));
            }
            else
            {
                box.U32((uint)(chunkOffsetBase + chunk.Offset));
            }
        }

        box.End(offsets);
    }

    private static void WriteTimeToSample(ref BoxWriter box, List<Mp4Sample> samples) =>
        WriteRunLengths(ref box, "stts"u8, 0, samples, static s => s.Duration);

    /// <summary>ctts version 1 (signed offsets), only when some sample is presented later than decoded.</summary>
    private static void WriteCompositionOffsets(ref BoxWriter box, List<Mp4Sample> samples)
    {
        if (!samples.TrueForAll(s => s.CompositionOffset == 0))
        {
            WriteRunLengths(ref box, "ctts"u8, 1, samples, static s => (uint)s.CompositionOffset);
        }
    }

    /// <summary>A table of (sample count, value) entries, one per run of samples with the same value.</summary>
    private static void WriteRunLengths(ref BoxWriter box, ReadOnlySpan<byte> type, byte version, List<Mp4Sample> samples, Func<Mp4Sample, uint> value)
    {
        var table = box.BeginFull(type, version, 0);
        var countAt = box.Position;
        box.U32(0);
        var entries = 0u;
        for (var i = 0; i < samples.Count;)
        {
            var run = RunLength(samples, i, value);
            box.U32((uint)run);
            box.U32(value(samples[i]));
            entries++;
            i += run;
        }

        box.PatchU32(countAt, entries);
        box.End(table);
    }

    /// <summary>stss lists the sync samples; left out when every sample is one (audio).</summary>
    private static void WriteSyncSamples(ref BoxWriter box, List<Mp4Sample> samples)
    {
        if (samples.TrueForAll(s => s.IsSync))
        {
            return;
        }

        var stss = box.BeginFull("stss"u8, 0, 0);
        var countAt = box.Position;
        box.U32(0);
        var entries = 0u;
        for (var i = 0; i < samples.Count; i++)
        {
            if (samples[i].IsSync)
            {
                box.U32((uint)(i + 1));
                entries++;
            }
        }

        box.PatchU32(countAt, entries);
        box.End(stss);
    }

    /// <summary>stsc: a new entry only where the number of samples per chunk or the sample description changes.</summary>
    private static void WriteSampleToChunk(ref BoxWriter box, List<Mp4Chunk> chunks)
    {
        var stsc = box.BeginFull("stsc"u8, 0, 0);
        var countAt = box.Position;
        box.U32(0);
        var entries = 0u;
        Mp4Chunk? previous = null;
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            if (previous is not { } last || chunk.SampleCount != last.SampleCount || chunk.DescriptionIndex != last.DescriptionIndex)
            {
                box.U32((uint)(i + 1)); // first chunk, 1-based
                box.U32((uint)chunk.SampleCount);
                box.U32((uint)chunk.DescriptionIndex);
                entries++;
                previous = chunk;
            }
        }

        box.PatchU32(countAt, entries);
        box.End(stsc);
    }

    private static int RunLength(List<Mp4Sample> samples, int start, Func<Mp4Sample, uint> key)
    {
        var value = key(samples[start]);
        var end = start + 1;
        while (end < samples.Count && key(samples[end]) == value)
        {
            end++;
        }

        return end - start;
    }
}
