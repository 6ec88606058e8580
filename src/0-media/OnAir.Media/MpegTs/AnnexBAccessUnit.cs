using OnAir.Media;
using OnAir.Media.Avc;

namespace OnAir.Media.MpegTs;

/// <summary>
/// A length-prefixed access unit (H.264's AVCC, H.265's HVCC) read out in Annex B byte-stream form
/// (ITU-T H.264 and H.265 annex B), as MPEG-TS carries them: an access unit delimiter first, the
/// parameter sets before a keyframe when the access unit lacks any of them (a player may join at
/// any segment), then every NAL unit behind a start code.
/// Reads straight from the frame's bytes; nothing is copied until <see cref="Read"/>.
/// </summary>
internal ref struct AnnexBAccessUnit : IPesPayload
{
    private readonly NalSyntax _syntax;
    private readonly ReadOnlySpan<byte> _avcc;
    private readonly int _nalLengthSize;
    private ReadOnlySpan<byte> _parameterSets;
    private ReadOnlySpan<byte> _current;
    private ReadOnlySpan<byte> _nalAfterStartCode;
    private int _avccOffset;

    /// <param name="syntax">The codec's NAL unit headers.</param>
    /// <param name="avcc">Length-prefixed NAL units of one access unit.</param>
    /// <param name="nalLengthSize">Bytes of each length prefix (1, 2 or 4).</param>
    /// <param name="parameterSets">The parameter sets in Annex B form to put before the NAL units when the access unit lacks one of those the codec requires; empty for non-key frames.</param>
    /// <exception cref="InvalidMediaException">A NAL length runs past the end of the access unit.</exception>
    public AnnexBAccessUnit(NalSyntax syntax, ReadOnlySpan<byte> avcc, int nalLengthSize, ReadOnlySpan<byte> parameterSets)
    {
        _syntax = syntax;
        _avcc = avcc;
        _nalLengthSize = nalLengthSize;
        _current = syntax.AnnexBAccessUnitDelimiter;

        // Measure (and validate) before anything is written, so a malformed frame never leaves half a PES behind.
        var length = _current.Length;
        var carried = NalRole.Other;
        var offset = 0;
        while (offset < avcc.Length)
        {
            if (!NalUnit.TryGetNext(avcc, nalLengthSize, ref offset, out var nal))
            {
                throw new InvalidMediaException($"AVC access unit of {avcc.Length} bytes has a NAL length running past its end at offset {offset}.");
            }

            if (IsDropped(syntax, nal))
            {
                continue;
            }

            carried |= syntax.RoleOf(nal);
            length += StartCode.Length + nal.Length;
        }

        var required = syntax.RequiredParameterSets;
        _parameterSets = (carried & required) == required ? default : parameterSets;
        Length = length + _parameterSets.Length;
    }

    public static ReadOnlySpan<byte> StartCode => [0x00, 0x00, 0x00, 0x01];

    public int Length { get; }

    public int Read(Span<byte> destination)
    {
        var written = 0;
        while (written < destination.Length && (!_current.IsEmpty || TryAdvance()))
        {
            var count = Math.Min(_current.Length, destination.Length - written);
            _current[..count].CopyTo(destination[written..]);
            _current = _current[count..];
            written += count;
        }

        return written;
    }

    /// <summary>Our own delimiter replaces any in the input; NAL units shorter than their header (empty ones would be bare start codes) are no NAL units.</summary>
    private static bool IsDropped(NalSyntax syntax, ReadOnlySpan<byte> nal) =>
        nal.Length < syntax.HeaderLength || syntax.RoleOf(nal) == NalRole.AccessUnitDelimiter;

    private bool TryAdvance()
    {
        if (!_parameterSets.IsEmpty)
        {
            _current = _parameterSets;
            _parameterSets = default;
            return true;
        }

        if (!_nalAfterStartCode.IsEmpty)
        {
            _current = _nalAfterStartCode;
            _nalAfterStartCode = default;
            return true;
        }

        while (_avccOffset < _avcc.Length && NalUnit.TryGetNext(_avcc, _nalLengthSize, ref _avccOffset, out var nal))
        {
            if (!IsDropped(_syntax, nal))
            {
                // Re-sliced from _avcc: the span TryGetNext hands out is scoped to this call by the
                // escape rules (it could come from the ref offset), though it lies inside _avcc.
                _current = StartCode;
                _nalAfterStartCode = _avcc.Slice(_avccOffset - nal.Length, nal.Length);
                return true;
            }
        }

        return false;
    }
}
