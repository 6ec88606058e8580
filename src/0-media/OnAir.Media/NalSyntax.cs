namespace OnAir.Media;

/// <summary>What a NAL unit is to a byte-stream writer, as flags so an access unit's parameter sets can be tallied.</summary>
[Flags]
public enum NalRole
{
    Other = 0,
    VideoParameterSet = 1,
    SequenceParameterSet = 2,
    PictureParameterSet = 4,
    AccessUnitDelimiter = 8,
}

/// <summary>
/// How one codec's NAL units name themselves: H.264 in a 1-byte header (type in 5 bits), H.265 in
/// a 2-byte header (type in 6 bits), each with its own parameter sets and access unit delimiter.
/// What an Annex B writer needs to tell the two apart; the escaping and length prefixes are shared (<see cref="Avc.NalUnit"/>).
/// </summary>
public abstract class NalSyntax
{
    public static readonly NalSyntax Avc = new AvcNalSyntax();

    public static readonly NalSyntax Hevc = new HevcNalSyntax();

    /// <summary>Bytes of the NAL unit header; a shorter NAL unit is malformed and is dropped.</summary>
    public abstract int HeaderLength { get; }

    /// <summary>The parameter sets a decoder needs before a random access point (H.264: SPS and PPS; H.265: VPS too).</summary>
    public abstract NalRole RequiredParameterSets { get; }

    /// <summary>An access unit delimiter behind its 4-byte start code, allowing any slice type.</summary>
    public abstract ReadOnlySpan<byte> AnnexBAccessUnitDelimiter { get; }

    /// <summary>The role of a NAL unit of at least <see cref="HeaderLength"/> bytes.</summary>
    public abstract NalRole RoleOf(ReadOnlySpan<byte> nal);

    /// <summary>Whether a NAL unit of at least <see cref="HeaderLength"/> bytes is a slice a decoder can start from (H.264 IDR; H.265 IRAP: BLA, IDR, CRA).</summary>
    public abstract bool IsRandomAccess(ReadOnlySpan<byte> nal);

    /// <summary>The configuration of an in-band stream from its parameter sets, one of each role in <see cref="RequiredParameterSets"/>, in role order (VPS, SPS, PPS).</summary>
    /// <exception cref="InvalidMediaException">The parameter sets do not parse.</exception>
    public abstract VideoConfig ConfigFrom(IReadOnlyList<byte[]> parameterSets);

    /// <summary>ITU-T H.264 section 7.3.1: nal_unit_type in the low 5 bits.</summary>
    private sealed class AvcNalSyntax : NalSyntax
    {
        public override int HeaderLength => 1;

        public override NalRole RequiredParameterSets => NalRole.SequenceParameterSet | NalRole.PictureParameterSet;

        /// <summary>primary_pic_type 7 (any slice type), then the stop bit.</summary>
        public override ReadOnlySpan<byte> AnnexBAccessUnitDelimiter => [0x00, 0x00, 0x00, 0x01, 0x09, 0xF0];

        public override NalRole RoleOf(ReadOnlySpan<byte> nal) => Media.Avc.NalUnit.TypeOf(nal[0]) switch
        {
            Media.Avc.NalUnit.TypeSps => NalRole.SequenceParameterSet,
            Media.Avc.NalUnit.TypePps => NalRole.PictureParameterSet,
            Media.Avc.NalUnit.TypeAccessUnitDelimiter => NalRole.AccessUnitDelimiter,
            _ => NalRole.Other,
        };

        public override bool IsRandomAccess(ReadOnlySpan<byte> nal) => Media.Avc.NalUnit.TypeOf(nal[0]) == Media.Avc.NalUnit.TypeIdrSlice;

        public override VideoConfig ConfigFrom(IReadOnlyList<byte[]> parameterSets) => Media.Avc.AvcConfig.FromParameterSets(parameterSets[0], parameterSets[1]);
    }

    /// <summary>ITU-T H.265 section 7.3.1.2: forbidden bit, nal_unit_type in 6 bits, layer id, temporal id.</summary>
    private sealed class HevcNalSyntax : NalSyntax
    {
        private const int TypeAccessUnitDelimiter = 35;

        public override int HeaderLength => 2;

        public override NalRole RequiredParameterSets => NalRole.VideoParameterSet | NalRole.SequenceParameterSet | NalRole.PictureParameterSet;

        /// <summary>Type 35, layer 0, temporal id 0 (plus one); pic_type 2 (I, P and B slices), then the stop bit: what ffmpeg writes.</summary>
        public override ReadOnlySpan<byte> AnnexBAccessUnitDelimiter => [0x00, 0x00, 0x00, 0x01, 0x46, 0x01, 0x50];

        public override NalRole RoleOf(ReadOnlySpan<byte> nal) => ((nal[0] >> 1) & 0x3F) switch
        {
            Media.Hevc.HevcConfig.NalTypeVps => NalRole.VideoParameterSet,
            Media.Hevc.HevcConfig.NalTypeSps => NalRole.SequenceParameterSet,
            Media.Hevc.HevcConfig.NalTypePps => NalRole.PictureParameterSet,
            TypeAccessUnitDelimiter => NalRole.AccessUnitDelimiter,
            _ => NalRole.Other,
        };

        /// <summary>Types 16 to 23: BLA_W_LP through CRA_NUT and the two reserved IRAP types.</summary>
        public override bool IsRandomAccess(ReadOnlySpan<byte> nal) => ((nal[0] >> 1) & 0x3F) is >= 16 and <= 23;

        public override VideoConfig ConfigFrom(IReadOnlyList<byte[]> parameterSets) => Media.Hevc.HevcConfig.FromParameterSets(parameterSets[0], parameterSets[1], parameterSets[2]);
    }
}
