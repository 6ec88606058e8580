using OnAir.Media.Avc;

namespace OnAir.Media.MpegTs;

/// <summary>
/// H.264 (stream type 0x1B) and H.265 (0x24): one PES is one access unit, in Annex B form. The
/// frame's payload is length-prefixed with 4-byte lengths (AVCC, HVCC), the form the RTMP path
/// produces, so the packager sees no difference between the source and the transcoder's renditions.
/// </summary>
/// <remarks>
/// Access unit delimiters are dropped (the muxer writes its own). Parameter sets are taken out of
/// the payload into the frame's <see cref="VideoConfig"/>: the packager puts them in front of every
/// keyframe from there (TS) or into the init segment (fMP4), exactly as for RTMP input, where they
/// never are in-band. The latest of each kind is tracked, which is what encoders send.
/// </remarks>
internal sealed class NalStreamReader(NalSyntax syntax) : ElementaryStreamReader
{
    private const int LengthSize = 4;

    private readonly ParameterSetTracker _parameterSets = new(syntax);

    /// <summary>The kept NAL units of the current access unit (start, length), reused for every PES.</summary>
    private (int Start, int Length)[] _nals = new (int, int)[16];

    public override TrackKind Kind => TrackKind.Video;

    public override void Read(int pid, ReadOnlySpan<byte> payload, long pts, long dts, DemuxContext context)
    {
        var counters = context.Counters;
        var count = 0;
        var size = 0;
        var isKeyFrame = false;
        var offset = 0;
        while (AnnexB.TryGetNext(payload, ref offset, out var start, out var length))
        {
            var nal = payload.Slice(start, length);
            if (nal.Length < syntax.HeaderLength || syntax.RoleOf(nal) == NalRole.AccessUnitDelimiter || _parameterSets.Offer(nal))
            {
                continue;
            }

            isKeyFrame |= syntax.IsRandomAccess(nal);

            if (count == _nals.Length)
            {
                Array.Resize(ref _nals, count * 2);
            }

            _nals[count++] = (start, length);
            size += LengthSize + length;
        }

        if (!_parameterSets.Update())
        {
            counters.InvalidParameterSets++;
        }

        if (count == 0)
        {
            counters.EmptyAccessUnits++;
            return;
        }

        if (_parameterSets.Config is not { } config)
        {
            counters.FramesWithoutConfig++;
            return;
        }

        var frame = MediaFrame.Rent(TrackKind.Video, dts, pts, isKeyFrame, config, size, context.Arena);
        var destination = frame.WritablePayload;
        for (var i = 0; i < count; i++)
        {
            var (start, length) = _nals[i];
            destination = destination[NalUnit.WriteLengthPrefixed(destination, payload.Slice(start, length), LengthSize)..];
        }

        context.Emit(pid, frame);
    }
}
