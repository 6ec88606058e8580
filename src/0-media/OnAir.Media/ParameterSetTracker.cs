namespace OnAir.Media;

/// <summary>
/// The parameter sets an in-band stream (Annex B from MPEG-TS, RTP) carries, turned into the
/// <see cref="VideoConfig"/> its frames get: H.264's SPS and PPS, H.265's VPS, SPS and PPS. One of
/// each is tracked (the latest), which is what encoders send; an unchanged repeat (encoders send
/// them before every keyframe) costs a compare.
/// </summary>
public sealed class ParameterSetTracker(NalSyntax syntax)
{
    private static readonly NalRole[] s_roles = [NalRole.VideoParameterSet, NalRole.SequenceParameterSet, NalRole.PictureParameterSet];

    private readonly byte[][] _held = [[], [], []];
    private bool _changed;

    /// <summary>The configuration of the latest valid sets; null before them, or after sets that do not parse (so no frame goes out that a decoder could not start from).</summary>
    public VideoConfig? Config { get; private set; }

    /// <summary>Takes <paramref name="nal"/> if it is one of the parameter sets the codec requires (true), else leaves it to the caller (false).</summary>
    public bool Offer(ReadOnlySpan<byte> nal)
    {
        var role = syntax.RoleOf(nal);
        var slot = Array.IndexOf(s_roles, role);
        if (slot < 0 || (syntax.RequiredParameterSets & role) == 0)
        {
            return false;
        }

        if (!nal.SequenceEqual(_held[slot]))
        {
            _held[slot] = nal.ToArray();
            _changed = true;
        }

        return true;
    }

    /// <summary>Applies what was offered since the last call: false when new sets did not parse (<see cref="Config"/> is then null).</summary>
    public bool Update()
    {
        if (!_changed)
        {
            return true; // the steady state, once per access unit: nothing allocated
        }

        var sets = new List<byte[]>(s_roles.Length);
        for (var i = 0; i < s_roles.Length; i++)
        {
            if ((syntax.RequiredParameterSets & s_roles[i]) == 0)
            {
                continue;
            }

            if (_held[i].Length == 0)
            {
                return true; // not all there yet
            }

            sets.Add(_held[i]);
        }

        _changed = false;
        try
        {
            Config = syntax.ConfigFrom(sets);
            return true;
        }
        catch (InvalidMediaException)
        {
            Config = null;
            return false;
        }
    }
}
