namespace OnAir.Media.Avc;

/// <summary>The fields of an H.264 SPS that packaging needs (ITU-T H.264 section 7.3.2.1.1).</summary>
public sealed record SequenceParameterSet(
    byte ProfileIdc,
    byte ConstraintFlags,
    byte LevelIdc,
    int Width,
    int Height,
    double? FrameRate)
{
    /// <summary>Largest SPS accepted; real ones are tens of bytes.</summary>
    public const int MaxLength = 4096;

    private static readonly byte[] s_highProfiles = [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135];

    /// <summary>Parses an SPS NAL unit (with its one-byte NAL header).</summary>
    /// <exception cref="InvalidMediaException">The SPS is truncated or not an SPS.</exception>
    public static SequenceParameterSet Parse(ReadOnlySpan<byte> nal)
    {
        if (nal.Length < 4 || NalUnit.TypeOf(nal[0]) != NalUnit.TypeSps)
        {
            throw new InvalidMediaException("Not an SPS NAL unit.");
        }

        if (nal.Length > MaxLength)
        {
            throw new InvalidMediaException($"SPS of {nal.Length} bytes exceeds {MaxLength}.");
        }

        return NalUnit.ParseRbsp(nal[1..], ParseRbsp);
    }

    private static SequenceParameterSet ParseRbsp(ReadOnlySpan<byte> rbsp)
    {
        var r = new BitReader(rbsp);
        var profile = (byte)r.ReadBits(8);
        var constraints = (byte)r.ReadBits(8);
        var level = (byte)r.ReadBits(8);
        r.ReadUe(); // seq_parameter_set_id

        uint chromaFormat = 1;
        if (Array.IndexOf(s_highProfiles, profile) >= 0)
        {
            chromaFormat = r.ReadUe();
            if (chromaFormat == 3)
            {
                r.ReadBit(); // separate_colour_plane_flag
            }

            r.ReadUe(); // bit_depth_luma_minus8
            r.ReadUe(); // bit_depth_chroma_minus8
            r.ReadBit(); // qpprime_y_zero_transform_bypass_flag
            if (r.ReadFlag())
            {
                SkipScalingLists(ref r, chromaFormat == 3 ? 12 : 8);
            }
        }

        r.ReadUe(); // log2_max_frame_num_minus4
        var pocType = r.ReadUe();
        if (pocType == 0)
        {
            r.ReadUe(); // log2_max_pic_order_cnt_lsb_minus4
        }
        else if (pocType == 1)
        {
            r.ReadBit(); // delta_pic_order_always_zero_flag
            r.ReadSe(); // offset_for_non_ref_pic
            r.ReadSe(); // offset_for_top_to_bottom_field
            var cycle = r.ReadUe();
            if (cycle > 255)
            {
                throw new InvalidMediaException("SPS num_ref_frames_in_pic_order_cnt_cycle exceeds 255.");
            }

            for (var i = 0; i < cycle; i++)
            {
                r.ReadSe();
            }
        }

        r.ReadUe(); // max_num_ref_frames
        r.ReadBit(); // gaps_in_frame_num_value_allowed_flag
        var widthInMbs = r.ReadUe() + 1;
        var heightInMapUnits = r.ReadUe() + 1;
        var frameMbsOnly = r.ReadBit();
        if (frameMbsOnly == 0)
        {
            r.ReadBit(); // mb_adaptive_frame_field_flag
        }

        r.ReadBit(); // direct_8x8_inference_flag
        uint cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (r.ReadFlag())
        {
            cropLeft = r.ReadUe();
            cropRight = r.ReadUe();
            cropTop = r.ReadUe();
            cropBottom = r.ReadUe();
        }

        var (subWidth, subHeight) = chromaFormat switch
        {
            0 => (1u, 1u),
            1 => (2u, 2u),
            2 => (2u, 1u),
            _ => (1u, 1u),
        };
        var cropUnitY = subHeight * (2 - frameMbsOnly);
        var width = (long)widthInMbs * 16 - subWidth * (cropLeft + cropRight);
        var height = (long)(2 - frameMbsOnly) * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (width <= 0 || height <= 0 || width > 16384 || height > 16384)
        {
            throw new InvalidMediaException($"SPS describes an impossible picture size {width}x{height}.");
        }

        double? frameRate = null;
        if (r.ReadFlag())
        {
            frameRate = ReadVuiFrameRate(ref r);
        }

        return new SequenceParameterSet(profile, constraints, level, (int)width, (int)height, frameRate);
    }

    private static double? ReadVuiFrameRate(ref BitReader r)
    {
        // The VUI is optional and its tail (HRD, bitstream restriction) is not needed: a truncated
        // VUI only loses the frame rate, never the picture size.
        try
        {
            if (r.ReadFlag() && r.ReadBits(8) == 255)
            {
                r.ReadBits(16); // sar_width
                r.ReadBits(16); // sar_height
            }

            if (r.ReadFlag())
            {
                r.ReadBit(); // overscan_appropriate_flag
            }

            if (r.ReadFlag())
            {
                r.ReadBits(4); // video_format, video_full_range_flag
                if (r.ReadFlag())
                {
                    r.ReadBits(24); // colour_primaries, transfer_characteristics, matrix_coefficients
                }
            }

            if (r.ReadFlag())
            {
                r.ReadUe();
                r.ReadUe();
            }

            if (!r.ReadFlag())
            {
                return null;
            }

            var unitsInTick = r.ReadBits(32);
            var timeScale = r.ReadBits(32);
            return unitsInTick == 0 || timeScale == 0 ? null : timeScale / (2.0 * unitsInTick);
        }
        catch (InvalidMediaException)
        {
            return null;
        }
    }

    private static void SkipScalingLists(ref BitReader r, int count)
    {
        for (var i = 0; i < count; i++)
        {
            if (!r.ReadFlag())
            {
                continue;
            }

            var size = i < 6 ? 16 : 64;
            int last = 8, next = 8;
            for (var j = 0; j < size; j++)
            {
                if (next != 0)
                {
                    next = (last + r.ReadSe() + 256) % 256;
                }

                last = next == 0 ? last : next;
            }
        }
    }
}
