using OnAir.Media.Avc;

namespace OnAir.Media.Hevc;

/// <summary>
/// What an H.265 SPS (ITU-T H.265 section 7.3.2.2.1) tells a configuration record: the displayed
/// picture size (the luma size less the conformance window), the general profile, tier and level
/// (the first 12 bytes of profile_tier_level, byte-aligned in every SPS, copied as they are), the
/// chroma format and bit depths, and the temporal sub-layers. The sub-layers' profile_tier_level
/// fields are skipped by their lengths; nothing after the bit depths is read.
/// </summary>
/// <param name="GeneralProfileTierLevel">general_profile_space through general_level_idc: the bytes an hvcC record carries from its second on.</param>
public sealed record HevcSequenceParameterSet(
    int Width,
    int Height,
    int ChromaFormatIdc,
    int BitDepthLuma,
    int BitDepthChroma,
    int MaxSubLayers,
    bool TemporalIdNesting,
    byte[] GeneralProfileTierLevel)
{
    /// <summary>Bytes of general_profile_space .. general_level_idc.</summary>
    public const int GeneralProfileTierLevelLength = 12;

    /// <summary>Largest SPS accepted; real ones are tens of bytes.</summary>
    public const int MaxSpsLength = 4096;

    /// <summary>Bounds the size to what a level 6.2 decoder takes (8192x4320 in either orientation).</summary>
    private const int MaxDimension = 16888;

    /// <summary>Parses an SPS NAL unit (with its two-byte NAL header).</summary>
    /// <exception cref="InvalidMediaException">The SPS is truncated, not an SPS, or codes a size or bit depth out of range.</exception>
    public static HevcSequenceParameterSet Parse(ReadOnlySpan<byte> nal)
    {
        if (nal.Length < 4 || ((nal[0] >> 1) & 0x3F) != HevcConfig.NalTypeSps)
        {
            throw new InvalidMediaException("Not an HEVC SPS NAL unit.");
        }

        if (nal.Length > MaxSpsLength)
        {
            throw new InvalidMediaException($"HEVC SPS of {nal.Length} bytes exceeds {MaxSpsLength}.");
        }

        return NalUnit.ParseRbsp(nal[2..], ParseRbsp);
    }

    private static HevcSequenceParameterSet ParseRbsp(ReadOnlySpan<byte> rbsp)
    {
        var r = new BitReader(rbsp);
        r.ReadBits(4); // sps_video_parameter_set_id
        var maxSubLayersMinus1 = (int)r.ReadBits(3);
        var temporalIdNesting = r.ReadFlag();
        var general = rbsp.Length > GeneralProfileTierLevelLength ? rbsp.Slice(1, GeneralProfileTierLevelLength).ToArray() : [];
        SkipProfileTierLevel(ref r, maxSubLayersMinus1);
        r.ReadUe(); // sps_seq_parameter_set_id
        var chromaFormat = r.ReadUe();
        if (chromaFormat > 3)
        {
            throw new InvalidMediaException($"HEVC SPS has chroma_format_idc {chromaFormat}.");
        }

        if (chromaFormat == 3)
        {
            r.ReadBit(); // separate_colour_plane_flag
        }

        var width = r.ReadUe();
        var height = r.ReadUe();
        if (width is 0 or > MaxDimension || height is 0 or > MaxDimension)
        {
            throw new InvalidMediaException($"HEVC SPS codes a {width}x{height} picture.");
        }

        if (r.ReadFlag()) // conformance_window_flag
        {
            // Offsets count chroma samples: two luma samples each where chroma is subsampled that way.
            var unitX = chromaFormat is 1 or 2 ? 2u : 1u;
            var unitY = chromaFormat == 1 ? 2u : 1u;
            var left = r.ReadUe();
            var right = r.ReadUe();
            var top = r.ReadUe();
            var bottom = r.ReadUe();
            var cropX = unitX * ((ulong)left + right);
            var cropY = unitY * ((ulong)top + bottom);
            if (cropX >= width || cropY >= height)
            {
                throw new InvalidMediaException($"HEVC SPS crops its {width}x{height} picture to nothing.");
            }

            width -= (uint)cropX;
            height -= (uint)cropY;
        }

        var lumaMinus8 = r.ReadUe();
        var chromaMinus8 = r.ReadUe();
        if (lumaMinus8 > 8 || chromaMinus8 > 8)
        {
            throw new InvalidMediaException($"HEVC SPS has bit depths {(ulong)lumaMinus8 + 8}/{(ulong)chromaMinus8 + 8}, over 16.");
        }

        return new HevcSequenceParameterSet((int)width, (int)height, (int)chromaFormat, (int)lumaMinus8 + 8, (int)chromaMinus8 + 8, maxSubLayersMinus1 + 1, temporalIdNesting, general);
    }

    /// <summary>profile_tier_level(1, maxSubLayersMinus1), section 7.3.3: 96 bits, then the sub-layers' flags and fields.</summary>
    private static void SkipProfileTierLevel(ref BitReader r, int maxSubLayersMinus1)
    {
        Skip(ref r, 88); // general profile space, tier, profile, compatibility and constraint flags
        r.ReadBits(8); // general_level_idc
        Span<bool> profilePresent = stackalloc bool[8];
        Span<bool> levelPresent = stackalloc bool[8];
        for (var i = 0; i < maxSubLayersMinus1; i++)
        {
            profilePresent[i] = r.ReadFlag();
            levelPresent[i] = r.ReadFlag();
        }

        if (maxSubLayersMinus1 > 0)
        {
            Skip(ref r, 2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
        }

        for (var i = 0; i < maxSubLayersMinus1; i++)
        {
            Skip(ref r, (profilePresent[i] ? 88 : 0) + (levelPresent[i] ? 8 : 0));
        }
    }

    private static void Skip(ref BitReader r, int bits)
    {
        for (; bits > 0; bits -= 32)
        {
            r.ReadBits(Math.Min(bits, 32));
        }
    }
}
