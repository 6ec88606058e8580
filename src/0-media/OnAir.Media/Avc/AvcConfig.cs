using System.Buffers.Binary;

namespace OnAir.Media.Avc;

/// <summary>
/// H.264 decoder configuration: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 section 5.3.3.1)
/// with its SPS and PPS, and the picture facts parsed from the first SPS.
/// </summary>
public sealed class AvcConfig : CodecConfig
{
    /// <summary>Bound on SPS/PPS count per record; real records carry one of each.</summary>
    public const int MaxParameterSets = 32;

    private readonly byte[] _record;

    private AvcConfig(byte[] record, byte[][] sps, byte[][] pps, int nalLengthSize, SequenceParameterSet parsed)
    {
        _record = record;
        SpsList = sps;
        PpsList = pps;
        NalLengthSize = nalLengthSize;
        Sps = parsed;
        CodecString = $"avc1.{parsed.ProfileIdc:x2}{parsed.ConstraintFlags:x2}{parsed.LevelIdc:x2}";
        AnnexBParameterSets = BuildAnnexBParameterSets(sps, pps);
    }

    public override TrackKind Kind => TrackKind.Video;

    public override string CodecString { get; }

    public override ReadOnlyMemory<byte> Record => _record;

    public IReadOnlyList<byte[]> SpsList { get; }

    public IReadOnlyList<byte[]> PpsList { get; }

    /// <summary>Bytes of each NAL length prefix in AVCC payloads (1, 2 or 4).</summary>
    public int NalLengthSize { get; }

    public SequenceParameterSet Sps { get; }

    public int Width => Sps.Width;

    public int Height => Sps.Height;

    /// <summary>Every SPS then every PPS, each behind a 4-byte start code: what goes before an IDR in Annex B.</summary>
    public ReadOnlyMemory<byte> AnnexBParameterSets { get; }

    /// <summary>Parses an AVCDecoderConfigurationRecord.</summary>
    /// <exception cref="InvalidMediaException">The record is truncated, empty or its SPS is malformed.</exception>
    public static AvcConfig Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length < 7)
        {
            throw new InvalidMediaException($"AVC configuration record of {record.Length} bytes is too short.");
        }

        if (record[0] != 1)
        {
            throw new InvalidMediaException($"AVC configuration record version {record[0]} is not 1.");
        }

        var nalLengthSize = (record[4] & 0x03) + 1;
        if (nalLengthSize == 3)
        {
            throw new InvalidMediaException("AVC NAL length size of 3 bytes is not allowed.");
        }

        var offset = 5;
        var spsCount = record[offset++] & 0x1F;
        var sps = ReadParameterSets(record, ref offset, spsCount, "SPS");
        if (offset >= record.Length)
        {
            throw new InvalidMediaException("AVC configuration record ends before its PPS count.");
        }

        var ppsCount = record[offset++];
        var pps = ReadParameterSets(record, ref offset, ppsCount, "PPS");
        if (sps.Length == 0 || pps.Length == 0)
        {
            throw new InvalidMediaException("AVC configuration record has no SPS or no PPS.");
        }

        var parsed = SequenceParameterSet.Parse(sps[0]);
        return new AvcConfig(record.ToArray(), sps, pps, nalLengthSize, parsed);
    }

    private static byte[][] ReadParameterSets(ReadOnlySpan<byte> record, ref int offset, int count, string what)
    {
        if (count > MaxParameterSets)
        {
            throw new InvalidMediaException($"AVC configuration record lists {count} {what}, more than {MaxParameterSets}.");
        }

        var sets = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            if (offset + 2 > record.Length)
            {
                throw new InvalidMediaException($"AVC configuration record is truncated in {what} #{i}.");
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(record[offset..]);
            offset += 2;
            if (length == 0 || offset + length > record.Length)
            {
                throw new InvalidMediaException($"AVC configuration record {what} #{i} length {length} runs past the record.");
            }

            sets[i] = record.Slice(offset, length).ToArray();
            offset += length;
        }

        return sets;
    }

    private static byte[] BuildAnnexBParameterSets(byte[][] sps, byte[][] pps)
    {
        var total = 0;
        foreach (var s in sps)
        {
            total += 4 + s.Length;
        }

        foreach (var p in pps)
        {
            total += 4 + p.Length;
        }

        var bytes = new byte[total];
        var offset = 0;
        foreach (var set in sps.Concat(pps))
        {
            bytes[offset + 3] = 1;
            set.CopyTo(bytes, offset + 4);
            offset += 4 + set.Length;
        }

        return bytes;
    }
}
