using OnAir.Media.Avc;

namespace OnAir.Media;

/// <summary>
/// A video configuration whose frames are length-prefixed NAL units (H.264's AVCC, H.265's HVCC):
/// what packaging, the transcoder and recording need whatever the codec.
/// </summary>
public abstract class VideoConfig : CodecConfig
{
    /// <param name="parameterSets">The record's parameter sets in the order a decoder takes them (H.265: VPS, SPS, PPS).</param>
    protected VideoConfig(IReadOnlyList<byte[]> parameterSets)
    {
        ParameterSets = parameterSets;
        AnnexBParameterSets = JoinAnnexB(parameterSets);
    }

    public sealed override TrackKind Kind => TrackKind.Video;

    /// <summary>The displayed picture size (the SPS's size less its cropping).</summary>
    public abstract int Width { get; }

    public abstract int Height { get; }

    /// <summary>Bytes of each NAL length prefix in the frames' payloads (1, 2 or 4).</summary>
    public abstract int NalLengthSize { get; }

    /// <summary>How this codec's NAL units name themselves, for writers of the Annex B byte stream.</summary>
    public abstract NalSyntax Nal { get; }

    /// <summary>The ISO-BMFF sample entry for this codec (<c>avc1</c>, <c>hvc1</c>): parameter sets in the configuration record.</summary>
    public abstract ReadOnlySpan<byte> SampleEntryType { get; }

    /// <summary>The box inside the sample entry that carries <see cref="CodecConfig.Record"/> verbatim (<c>avcC</c>, <c>hvcC</c>).</summary>
    public abstract ReadOnlySpan<byte> RecordBoxType { get; }

    /// <summary>The MPEG-TS stream_type of this codec in a PMT (ITU-T H.222.0 table 2-34: 0x1B H.264, 0x24 H.265).</summary>
    public abstract byte TsStreamType { get; }

    /// <summary>The record's parameter sets, in the order a decoder takes them.</summary>
    public IReadOnlyList<byte[]> ParameterSets { get; }

    /// <summary>Every parameter set behind a 4-byte start code: what goes before a keyframe in Annex B.</summary>
    public ReadOnlyMemory<byte> AnnexBParameterSets { get; }

    /// <summary>
    /// A copy of <paramref name="keyFrame"/> with every parameter set in front, each behind a NAL
    /// length prefix of this record's size: parameter sets in band, for readers that keep a track's
    /// first sample description (after a recording's codec parameters changed). The caller owns one
    /// reference of the frame returned; a parameter set its prefix cannot hold leaves the frame as it was.
    /// </summary>
    public MediaFrame WithParameterSetsInBand(MediaFrame keyFrame)
    {
        if (ParameterSets.Any(set => NalLengthSize < 4 && set.Length >= 1 << (8 * NalLengthSize)))
        {
            return keyFrame.AddRef();
        }

        var copy = MediaFrame.Rent(TrackKind.Video, keyFrame.Dts, keyFrame.Pts, keyFrame.IsKeyFrame, this, ParameterSets.Sum(set => NalLengthSize + set.Length) + keyFrame.Span.Length);
        copy.Discontinuity = keyFrame.Discontinuity;
        var rest = copy.WritablePayload;
        foreach (var set in ParameterSets)
        {
            rest = rest[NalUnit.WriteLengthPrefixed(rest, set, NalLengthSize)..];
        }

        keyFrame.Span.CopyTo(rest);
        return copy;
    }

    private static byte[] JoinAnnexB(IReadOnlyList<byte[]> sets)
    {
        var bytes = new byte[sets.Sum(set => 4 + set.Length)];
        var offset = 0;
        foreach (var set in sets)
        {
            bytes[offset + 3] = 1;
            set.CopyTo(bytes, offset + 4);
            offset += 4 + set.Length;
        }

        return bytes;
    }
}
