using System.Buffers.Binary;

namespace OnAir.Media.Avc;

/// <summary>
/// H.264 decoder configuration: the AVCDecoderConfigurationRecord (ISO/IEC 14496-15 section 5.3.3.1)
/// with its SPS and PPS, and the picture facts parsed from the first SPS.
/// </summary>
public sealed class AvcConfig : VideoConfig
{
    /// <summary>Bound on SPS/PPS count per record; real records carry one of each.</summary>
    public const int MaxParameterSets = 32;

    private readonly byte[] _record;

    private AvcConfig(byte[] record, byte[][] sps, byte[][] pps, int nalLengthSize, SequenceParameterSet parsed)
        : base([.. sps, .. pps])
    {
        _record = record;
        SpsList = sps;
        PpsList = pps;
        NalLengthSize = nalLengthSize;
        Sps = parsed;
        CodecString = $"avc1.{parsed.ProfileIdc:x2}{parsed.ConstraintFlags:x2}{parsed.LevelIdc:x2}";
    }

    public override string CodecString { get; }

    public override ReadOnlyMemory<byte> Record => _record;

    public IReadOnlyList<byte[]> SpsList { get; }

    public IReadOnlyList<byte[]> PpsList { get; }

    public override int NalLengthSize { get; }

    public SequenceParameterSet Sps { get; }

    public override int Width => Sps.Width;

    public override int Height => Sps.Height;

    public override ReadOnlySpan<byte> SampleEntryType => "avc1"u8;

    public override ReadOnlySpan<byte> RecordBoxType => "avcC"u8;

    public override NalSyntax Nal => NalSyntax.Avc;

    public override byte TsStreamType => MpegTs.TsStreamInfo.StreamTypeH264;

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

    /// <summary>
    /// Builds the AVCDecoderConfigurationRecord for one SPS and one PPS found in-band (Annex B
    /// streams such as MPEG-TS carry no record), with 4-byte NAL lengths, the way ffmpeg writes
    /// it: High-profile records get the chroma format and bit depth bytes ISO/IEC 14496-15 asks for.
    /// </summary>
    /// <param name="sps">The SPS NAL unit, header byte included, no start code.</param>
    /// <param name="pps">The PPS NAL unit, header byte included, no start code.</param>
    /// <exception cref="InvalidMediaException">Either is not what it claims to be, or the SPS is malformed.</exception>
    public static AvcConfig FromParameterSets(ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        if (sps.Length < 4 || NalUnit.TypeOf(sps[0]) != NalUnit.TypeSps || sps.Length > SequenceParameterSet.MaxLength)
        {
            throw new InvalidMediaException($"SPS of {sps.Length} bytes is not a usable SPS NAL unit.");
        }

        if (pps.Length < 2 || NalUnit.TypeOf(pps[0]) != NalUnit.TypePps || pps.Length > ushort.MaxValue)
        {
            throw new InvalidMediaException($"PPS of {pps.Length} bytes is not a usable PPS NAL unit.");
        }

        var hasChromaExtension = sps[1] is 100 or 110 or 122 or 144;
        var record = new byte[11 + sps.Length + pps.Length + (hasChromaExtension ? 4 : 0)];
        record[0] = 1; // configurationVersion
        record[1] = sps[1]; // AVCProfileIndication
        record[2] = sps[2]; // profile_compatibility
        record[3] = sps[3]; // AVCLevelIndication
        record[4] = 0xFF; // reserved '111111', lengthSizeMinusOne 3
        record[5] = 0xE1; // reserved '111', numOfSequenceParameterSets 1
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(6), (ushort)sps.Length);
        sps.CopyTo(record.AsSpan(8));
        var offset = 8 + sps.Length;
        record[offset++] = 1; // numOfPictureParameterSets
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(offset), (ushort)pps.Length);
        pps.CopyTo(record.AsSpan(offset + 2));
        offset += 2 + pps.Length;
        if (hasChromaExtension)
        {
            var (chromaFormat, lumaDepthMinus8, chromaDepthMinus8) = ReadChromaFormat(sps);
            record[offset++] = (byte)(0xFC | chromaFormat);
            record[offset++] = (byte)(0xF8 | lumaDepthMinus8);
            record[offset++] = (byte)(0xF8 | chromaDepthMinus8);
            record[offset] = 0; // numOfSequenceParameterSetExt
        }

        return Parse(record);
    }

    /// <summary>chroma_format_idc and the bit depths, which High-profile SPSs code right after seq_parameter_set_id.</summary>
    private static (uint ChromaFormat, uint LumaDepthMinus8, uint ChromaDepthMinus8) ReadChromaFormat(ReadOnlySpan<byte> sps)
    {
        // The fields sit within the first bytes; 64 leaves room for any Exp-Golomb codes before them.
        Span<byte> rbsp = stackalloc byte[64];
        var nal = sps[1..Math.Min(sps.Length, rbsp.Length)];
        var reader = new BitReader(rbsp[..NalUnit.ToRbsp(nal, rbsp)]);
        reader.ReadBits(24); // profile_idc, constraint flags, level_idc
        reader.ReadUe(); // seq_parameter_set_id
        var chromaFormat = reader.ReadUe();
        if (chromaFormat == 3)
        {
            reader.ReadBit(); // separate_colour_plane_flag
        }

        var luma = reader.ReadUe();
        var chroma = reader.ReadUe();
        if (chromaFormat > 3 || luma > 6 || chroma > 6)
        {
            throw new InvalidMediaException($"SPS chroma format {chromaFormat} or bit depth {luma + 8}/{chroma + 8} is out of range.");
        }

        return (chromaFormat, luma, chroma);
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
            sets[i] = NalUnit.ReadRecordNal(record, ref offset, minLength: 1, $"AVC configuration record {what} #{i}");
        }

        return sets;
    }
}
