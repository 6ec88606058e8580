namespace OnAir.Transcoding;

/// <summary>
/// What a stream's transcoder gives up to stay real time, one step at a time (issue order):
/// <list type="number">
/// <item>every rung switches to a faster x264 preset;</item>
/// <item>half the frame rate (keyframes kept);</item>
/// <item>the most expensive rung is dropped, then the next, down to one rung;</item>
/// <item>input frames are dropped up to the next keyframe whenever the lag is over budget.</item>
/// </list>
/// A step is taken when the lag is over budget, the previous step has had time to work, and the
/// lag is not already shrinking (or is far over). A step is undone after the lag has stayed well
/// under budget for a while; when undoing it proves premature (the step is needed again soon
/// after), the wait before undoing it again doubles, up to 16 times, so a machine that cannot
/// afford a level does not flap in and out of it. Pure logic, driven by <see cref="Evaluate"/>
/// once per tick.
/// </summary>
public sealed class DegradationPolicy
{
    private readonly double _budget;
    private readonly double _recoverAfter;
    private readonly double _settle;
    private double _lastChange = double.NegativeInfinity;
    private double _lastPressure = double.NegativeInfinity;
    private double _previousLag = double.NaN;
    private readonly double[] _undoneAt;
    private readonly int[] _backoff;

    /// <param name="rungCount">Rungs the stream starts with (at least one).</param>
    /// <param name="budgetSeconds">Lag above which the policy degrades.</param>
    /// <param name="recoverAfterSeconds">Time under a quarter of the budget before a step is undone.</param>
    public DegradationPolicy(int rungCount, double budgetSeconds, double recoverAfterSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rungCount, 1);
        RungCount = rungCount;
        _budget = budgetSeconds;
        _recoverAfter = recoverAfterSeconds;
        _settle = Math.Max(2 * budgetSeconds, 3);
        _undoneAt = new double[MaxLevel + 1];
        Array.Fill(_undoneAt, double.NegativeInfinity);
        _backoff = new int[MaxLevel + 1];
        Array.Fill(_backoff, 1);
    }

    /// <summary>Seconds of headroom needed before the current step is undone (grows when undoing it proved premature).</summary>
    public double RecoverAfterSeconds => _recoverAfter * _backoff[Level];

    public int RungCount { get; }

    /// <summary>0 = full quality; <see cref="MaxLevel"/> = every step taken.</summary>
    public int Level { get; private set; }

    public int MaxLevel => 3 + (RungCount - 1);

    public bool HalfFrameRate => HalfFrameRateAt(Level);

    /// <summary>How many of the most expensive rungs are not produced.</summary>
    public int DroppedRungs => DroppedRungsAt(Level);

    public bool DropsInput => Level == MaxLevel;

    // What a level means, for whoever applies a level it read earlier (the transcoder's feed loop).
    public static bool FasterPresetAt(int level) => level >= 1;

    public static bool HalfFrameRateAt(int level) => level >= 2;

    public int DroppedRungsAt(int level) => Math.Clamp(level - 2, 0, RungCount - 1);

    /// <summary>Whether going from level <paramref name="from"/> to <paramref name="to"/> needs a new ffmpeg (anything but the input-dropping step).</summary>
    public bool NeedsRestart(int from, int to) => Math.Min(from, MaxLevel - 1) != Math.Min(to, MaxLevel - 1);

    /// <summary>Describes a level for logs, e.g. "faster preset, half frame rate, 1 rung dropped".</summary>
    public string Describe()
    {
        if (Level == 0)
        {
            return "full quality";
        }

        var steps = new List<string> { "faster preset" };
        if (HalfFrameRate)
        {
            steps.Add("half frame rate");
        }

        if (DroppedRungs > 0)
        {
            steps.Add(DroppedRungs == 1 ? "1 rung dropped" : $"{DroppedRungs} rungs dropped");
        }

        if (DropsInput)
        {
            steps.Add("input dropped to the next keyframe when behind");
        }

        return string.Join(", ", steps);
    }

    /// <summary>A new ffmpeg started (a restart after a failure): it gets the settle time before its lag is judged.</summary>
    public void Hold(double now)
    {
        _lastChange = Math.Max(_lastChange, now);
        _previousLag = double.NaN;
    }

    /// <summary>One tick: returns +1 when a step was taken, -1 when one was undone, else 0.</summary>
    /// <param name="now">Monotonic time, seconds.</param>
    /// <param name="lagSeconds">How far the renditions are behind the source.</param>
    public int Evaluate(double now, double lagSeconds)
    {
        var shrinking = !double.IsNaN(_previousLag) && lagSeconds < _previousLag - 0.1;
        _previousLag = lagSeconds;
        if (lagSeconds >= _budget / 4)
        {
            _lastPressure = now;
        }

        if (lagSeconds > _budget && Level < MaxLevel && now - _lastChange >= _settle && (!shrinking || lagSeconds > 4 * _budget))
        {
            Level++;
            if (now - _undoneAt[Level] < 2 * RecoverAfterSeconds)
            {
                _backoff[Level] = Math.Min(_backoff[Level] * 2, 16); // undone too early last time
            }

            _lastChange = now;
            return 1;
        }

        if (Level > 0 && now - Math.Max(_lastChange, _lastPressure) >= RecoverAfterSeconds)
        {
            _undoneAt[Level] = now;
            Level--;
            _lastChange = now;
            return -1;
        }

        return 0;
    }
}
