using System.Buffers.Binary;

namespace OnAir.Media.Mp4;

/// <summary>One track's samples in a fragment: where they start on its timeline (tfdt) and in the file.</summary>
public sealed record Fmp4TrackRun(int TrackId, long BaseDecodeTime, long DataOffset, Mp4Sample[] Samples)
{
    /// <summary>Sum of the sample durations, 90 kHz.</summary>
    public long Duration { get; } = Samples.Sum(s => (long)s.Duration);

    /// <summary>Bytes of media the samples span from <see cref="DataOffset"/>.</summary>
    public long DataLength { get; } = Samples.Sum(s => (long)s.Size);
}

/// <summary>
/// Reads a <c>moof</c> (ISO/IEC 14496-12 section 8.8): per <c>traf</c>, the <c>tfhd</c> defaults,
/// the <c>tfdt</c> base time and each <c>trun</c>'s samples, with data offsets made absolute. Reads
/// what OnAir's <see cref="Fmp4FragmentWriter"/> writes and the general forms of those boxes; bounded
/// in the samples it accepts.
/// </summary>
public static class Fmp4FragmentReader
{
    /// <summary>More samples than a fragment of any sane duration holds (a minute of 1000 fps video).</summary>
    public const int MaxSamplesPerFragment = 60_000;

    private const uint NonSyncFlag = 0x00010000;

    /// <param name="moofContent">The moof box's content (after its header).</param>
    /// <param name="moofOffset">Where the moof box starts in the file: data offsets count from it.</param>
    /// <exception cref="InvalidMediaException">A box overruns, a field is missing, or too many samples.</exception>
    public static List<Fmp4TrackRun> Read(ReadOnlySpan<byte> moofContent, long moofOffset)
    {
        var runs = new List<Fmp4TrackRun>(2);
        var samples = 0;
        foreach (var (header, traf) in new Mp4BoxHeader.ChildEnumerator(moofContent))
        {
            if (header.Is("traf"u8))
            {
                ReadTrackFragment(traf, moofOffset, runs, ref samples);
            }
        }

        return runs;
    }

    private static void ReadTrackFragment(ReadOnlySpan<byte> traf, long moofOffset, List<Fmp4TrackRun> runs, ref int samplesSoFar)
    {
        var tfhd = Mp4BoxHeader.FindChild(traf, "tfhd"u8);
        if (tfhd.Length < 8)
        {
            throw new InvalidMediaException("MP4 traf without a tfhd");
        }

        var flags = ReadFlags(tfhd);
        var trackId = (int)BinaryPrimitives.ReadUInt32BigEndian(tfhd[4..]);
        var at = 8;
        var baseOffset = moofOffset;
        if ((flags & 0x01) != 0)
        {
            baseOffset = (long)Read64(tfhd, at, "tfhd base data offset");
            at += 8;
        }

        if ((flags & 0x02) != 0)
        {
            at += 4; // sample description index
        }

        var defaultDuration = (flags & 0x08) != 0 ? Read32(tfhd, ref at, "tfhd default duration") : 0;
        var defaultSize = (flags & 0x10) != 0 ? Read32(tfhd, ref at, "tfhd default size") : 0;
        var defaultFlags = (flags & 0x20) != 0 ? Read32(tfhd, ref at, "tfhd default flags") : 0;

        var tfdt = Mp4BoxHeader.FindChild(traf, "tfdt"u8);
        var baseTime = tfdt.Length >= 8 ? (tfdt[0] == 1 ? (long)Read64(tfdt, 4, "tfdt") : BinaryPrimitives.ReadUInt32BigEndian(tfdt[4..])) : 0;
        var nextData = baseOffset;
        foreach (var (header, trun) in new Mp4BoxHeader.ChildEnumerator(traf))
        {
            if (!header.Is("trun"u8))
            {
                continue;
            }

            var run = ReadTrackRun(trun, trackId, baseTime, baseOffset, nextData, defaultDuration, defaultSize, defaultFlags, ref samplesSoFar);
            runs.Add(run);
            nextData = run.DataOffset + run.DataLength;
            baseTime += run.Duration;
        }
    }

    private static Fmp4TrackRun ReadTrackRun(ReadOnlySpan<byte> trun, int trackId, long baseTime, long baseOffset, long nextData, uint defaultDuration, uint defaultSize, uint defaultFlags, ref int samplesSoFar)
    {
        if (trun.Length < 8)
        {
            throw new InvalidMediaException("MP4 trun too short");
        }

        var version = trun[0];
        var flags = ReadFlags(trun);
        var count = BinaryPrimitives.ReadUInt32BigEndian(trun[4..]);
        samplesSoFar += (int)Math.Min(count, MaxSamplesPerFragment + 1);
        if (samplesSoFar > MaxSamplesPerFragment)
        {
            throw new InvalidMediaException($"MP4 fragment with more than {MaxSamplesPerFragment} samples");
        }

        var at = 8;
        var dataOffset = (flags & 0x01) != 0 ? baseOffset + (int)Read32(trun, ref at, "trun data offset") : nextData;
        var firstFlags = (flags & 0x04) != 0 ? Read32(trun, ref at, "trun first sample flags") : (uint?)null;
        var samples = new Mp4Sample[count];
        for (var i = 0; i < samples.Length; i++)
        {
            var duration = (flags & 0x100) != 0 ? Read32(trun, ref at, "trun sample duration") : defaultDuration;
            var size = (flags & 0x200) != 0 ? Read32(trun, ref at, "trun sample size") : defaultSize;
            var sampleFlags = (flags & 0x400) != 0 ? Read32(trun, ref at, "trun sample flags") : i == 0 && firstFlags is { } first ? first : defaultFlags;
            var offset = 0;
            if ((flags & 0x800) != 0)
            {
                var raw = Read32(trun, ref at, "trun composition offset");
                offset = version == 0 ? (int)Math.Min(raw, int.MaxValue) : (int)raw;
            }

            samples[i] = new Mp4Sample(duration, size, (sampleFlags & NonSyncFlag) == 0, offset);
        }

        return new Fmp4TrackRun(trackId, baseTime, dataOffset, samples);
    }

    private static uint ReadFlags(ReadOnlySpan<byte> fullBox) => BinaryPrimitives.ReadUInt32BigEndian(fullBox) & 0xFFFFFF;

    private static uint Read32(ReadOnlySpan<byte> box, ref int at, string what)
    {
        if (at + 4 > box.Length)
        {
            throw new InvalidMediaException($"MP4 {what} is past the end of its box");
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(box[at..]);
        at += 4;
        return value;
    }

    private static ulong Read64(ReadOnlySpan<byte> box, int at, string what) =>
        at + 8 <= box.Length ? BinaryPrimitives.ReadUInt64BigEndian(box[at..]) : throw new InvalidMediaException($"MP4 {what} is past the end of its box");
}
