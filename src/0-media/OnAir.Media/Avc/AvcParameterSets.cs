namespace OnAir.Media.Avc;

/// <summary>
/// The SPS and PPS an in-band H.264 stream (Annex B from MPEG-TS, RTP) carries, turned into the
/// <see cref="AvcConfig"/> its frames get. One SPS and one PPS are tracked (the latest of each),
/// which is what encoders send; an unchanged repeat (encoders send them before every IDR) costs a compare.
/// </summary>
public sealed class AvcParameterSets
{
    private byte[] _sps = [];
    private byte[] _pps = [];
    private bool _changed;

    /// <summary>The configuration of the latest valid pair; null before one, or after a pair that does not parse (so no frame goes out that a decoder could not start from).</summary>
    public AvcConfig? Config { get; private set; }

    /// <summary>Takes <paramref name="nal"/> if it is an SPS or a PPS (true), else leaves it to the caller (false).</summary>
    public bool Offer(ReadOnlySpan<byte> nal)
    {
        switch (NalUnit.TypeOf(nal[0]))
        {
            case NalUnit.TypeSps:
                _changed |= Remember(ref _sps, nal);
                return true;
            case NalUnit.TypePps:
                _changed |= Remember(ref _pps, nal);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Applies what was offered since the last call: false when a new pair did not parse (<see cref="Config"/> is then null).</summary>
    public bool Update()
    {
        if (!_changed || _sps.Length == 0 || _pps.Length == 0)
        {
            return true;
        }

        _changed = false;
        try
        {
            Config = AvcConfig.FromParameterSets(_sps, _pps);
            return true;
        }
        catch (InvalidMediaException)
        {
            Config = null;
            return false;
        }
    }

    private static bool Remember(ref byte[] held, ReadOnlySpan<byte> nal)
    {
        if (nal.SequenceEqual(held))
        {
            return false;
        }

        held = nal.ToArray();
        return true;
    }
}
