using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using OnAir.Media.Avc;

namespace OnAir.Media.Hevc;

/// <summary>
/// H.265 decoder configuration: the HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 section
/// 8.3.3.1) with its VPS, SPS and PPS, the profile, tier and level it declares, and the picture size
/// parsed from the first SPS. Enhanced RTMP carries this record in its HEVC sequence start, and an
/// fMP4 <c>hvc1</c> sample entry carries it verbatim as <c>hvcC</c>.
/// </summary>
public sealed class HevcConfig : VideoConfig
{
    /// <summary>Bounds on a record's arrays and NAL units per array; real records carry three or four arrays of one.</summary>
    public const int MaxArrays = 16;

    public const int MaxNalUnitsPerArray = 32;

    public const byte NalTypeVps = 32;
    public const byte NalTypeSps = 33;
    public const byte NalTypePps = 34;

    private const int FixedPartLength = 23;

    private readonly byte[] _record;

    private HevcConfig(byte[] record, byte[][] vps, byte[][] sps, byte[][] pps, HevcSequenceParameterSet size)
        : base([.. vps, .. sps, .. pps])
    {
        _record = record;
        VpsList = vps;
        SpsList = sps;
        PpsList = pps;
        ProfileSpace = record[1] >> 6;
        HighTier = (record[1] & 0x20) != 0;
        ProfileIdc = record[1] & 0x1F;
        LevelIdc = record[12];
        NalLengthSize = (record[21] & 0x03) + 1;
        Width = size.Width;
        Height = size.Height;
        CodecString = BuildCodecString(record.AsSpan(2, 4), record.AsSpan(6, 6));
    }

    /// <summary>The RFC 6381 string for an <c>hvc1</c> sample entry (ISO/IEC 14496-15 annex E.3), e.g. <c>hvc1.1.6.L93.B0</c>.</summary>
    public override string CodecString { get; }

    public override ReadOnlyMemory<byte> Record => _record;

    public IReadOnlyList<byte[]> VpsList { get; }

    public IReadOnlyList<byte[]> SpsList { get; }

    public IReadOnlyList<byte[]> PpsList { get; }

    /// <summary>general_profile_space (0 in every profile defined so far).</summary>
    public int ProfileSpace { get; }

    public bool HighTier { get; }

    /// <summary>general_profile_idc: 1 Main, 2 Main 10, 3 Main Still Picture, 4 range extensions.</summary>
    public int ProfileIdc { get; }

    /// <summary>general_level_idc: 30 times the level number (93 is level 3.1).</summary>
    public int LevelIdc { get; }

    public override int NalLengthSize { get; }

    /// <summary>The displayed size: the SPS's coded size less its conformance window.</summary>
    public override int Width { get; }

    public override int Height { get; }

    public override ReadOnlySpan<byte> SampleEntryType => "hvc1"u8;

    public override ReadOnlySpan<byte> RecordBoxType => "hvcC"u8;

    public override NalSyntax Nal => NalSyntax.Hevc;

    public override byte TsStreamType => MpegTs.TsStreamInfo.StreamTypeH265;

    /// <summary>Parses an HEVCDecoderConfigurationRecord.</summary>
    /// <exception cref="InvalidMediaException">The record is truncated, of another version, over the bounds, or lacks a VPS, SPS or PPS, or its SPS is malformed.</exception>
    public static HevcConfig Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length < FixedPartLength)
        {
            throw new InvalidMediaException($"HEVC configuration record of {record.Length} bytes is too short.");
        }

        if (record[0] != 1)
        {
            throw new InvalidMediaException($"HEVC configuration record version {record[0]} is not 1.");
        }

        if ((record[21] & 0x03) == 2)
        {
            throw new InvalidMediaException("HEVC NAL length size of 3 bytes is not allowed.");
        }

        var arrays = record[22];
        if (arrays > MaxArrays)
        {
            throw new InvalidMediaException($"HEVC configuration record has {arrays} arrays, over {MaxArrays}.");
        }

        List<byte[]> vps = [], sps = [], pps = [];
        var offset = FixedPartLength;
        for (var i = 0; i < arrays; i++)
        {
            if (record.Length - offset < 3)
            {
                throw new InvalidMediaException("HEVC configuration record ends inside its array headers.");
            }

            var nalType = record[offset] & 0x3F;
            var count = BinaryPrimitives.ReadUInt16BigEndian(record[(offset + 1)..]);
            offset += 3;
            if (count > MaxNalUnitsPerArray)
            {
                throw new InvalidMediaException($"HEVC configuration record has {count} NAL units of type {nalType}, over {MaxNalUnitsPerArray}.");
            }

            for (var j = 0; j < count; j++)
            {
                var nal = NalUnit.ReadRecordNal(record, ref offset, minLength: 2, $"HEVC configuration record NAL unit #{j} of type {nalType}");
                switch (nalType)
                {
                    case NalTypeVps: vps.Add(nal); break;
                    case NalTypeSps: sps.Add(nal); break;
                    case NalTypePps: pps.Add(nal); break;
                    default: break; // SEI and the like: kept in the record, not needed apart
                }
            }
        }

        if (vps.Count == 0 || sps.Count == 0 || pps.Count == 0)
        {
            throw new InvalidMediaException("HEVC configuration record lacks a VPS, an SPS or a PPS.");
        }

        var size = HevcSequenceParameterSet.Parse(sps[0]);
        return new HevcConfig(record.ToArray(), [.. vps], [.. sps], [.. pps], size);
    }

    /// <summary>
    /// The configuration of an in-band stream (Annex B from MPEG-TS): an HEVCDecoderConfigurationRecord
    /// built around its VPS, SPS and PPS, as ffmpeg's and x265's MP4 writers build it, with 4-byte NAL
    /// lengths and each array complete (an <c>hvc1</c> sample entry's rule). Fields the SPS's VUI would
    /// refine (min_spatial_segmentation_idc, parallelismType, frame rate) are left unspecified (0).
    /// </summary>
    /// <exception cref="InvalidMediaException">A parameter set is empty, over 64 KiB or of another type, or the SPS is malformed.</exception>
    public static HevcConfig FromParameterSets(ReadOnlySpan<byte> vps, ReadOnlySpan<byte> sps, ReadOnlySpan<byte> pps)
    {
        var parsed = HevcSequenceParameterSet.Parse(sps);
        var record = new List<byte>(FixedPartLength + 15 + vps.Length + sps.Length + pps.Length) { 1 };
        record.AddRange(parsed.GeneralProfileTierLevel);
        record.AddRange([
            0xF0, 0x00, // reserved, min_spatial_segmentation_idc 0
            0xFC, // reserved, parallelismType 0 (unknown)
            (byte)(0xFC | parsed.ChromaFormatIdc),
            (byte)(0xF8 | (parsed.BitDepthLuma - 8)),
            (byte)(0xF8 | (parsed.BitDepthChroma - 8)),
            0x00, 0x00, // avgFrameRate unspecified
            (byte)((parsed.MaxSubLayers << 3) | (parsed.TemporalIdNesting ? 0x04 : 0) | 0x03), // constantFrameRate 0, lengthSizeMinusOne 3
            3, // numOfArrays
        ]);
        foreach (var (type, nal) in new[] { (NalTypeVps, vps.ToArray()), (NalTypeSps, sps.ToArray()), (NalTypePps, pps.ToArray()) })
        {
            if (nal.Length is < 2 or > ushort.MaxValue)
            {
                throw new InvalidMediaException($"HEVC parameter set of type {type} is {nal.Length} bytes long.");
            }

            if (((nal[0] >> 1) & 0x3F) != type)
            {
                throw new InvalidMediaException($"HEVC NAL unit of type {(nal[0] >> 1) & 0x3F} given where a parameter set of type {type} goes.");
            }

            record.AddRange([(byte)(0x80 | type), 0x00, 0x01, (byte)(nal.Length >> 8), (byte)nal.Length, .. nal]);
        }

        return Parse(CollectionsMarshal.AsSpan(record));
    }

    /// <summary>Annex E.3: profile space and profile, the compatibility flags bit-reversed in hex, tier and level, then the constraint bytes without trailing zeros.</summary>
    private string BuildCodecString(ReadOnlySpan<byte> compatibilityFlags, ReadOnlySpan<byte> constraints)
    {
        var text = new StringBuilder("hvc1.");
        text.Append(ProfileSpace switch { 0 => "", 1 => "A", 2 => "B", _ => "C" });
        text.Append(CultureInfo.InvariantCulture, $"{ProfileIdc}");
        var compatibility = ReverseBits(BinaryPrimitives.ReadUInt32BigEndian(compatibilityFlags));
        text.Append(CultureInfo.InvariantCulture, $".{compatibility:X}");
        text.Append(HighTier ? ".H" : ".L");
        text.Append(CultureInfo.InvariantCulture, $"{LevelIdc}");
        var used = constraints.LastIndexOfAnyExcept((byte)0) + 1;
        foreach (var constraint in constraints[..used])
        {
            text.Append(CultureInfo.InvariantCulture, $".{constraint:X}");
        }

        return text.ToString();
    }

    private static uint ReverseBits(uint value)
    {
        uint reversed = 0;
        for (var i = 0; i < 32; i++)
        {
            reversed = (reversed << 1) | ((value >> i) & 1);
        }

        return reversed;
    }
}
