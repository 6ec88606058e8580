namespace OnAir.Media.MpegTs;

/// <summary>
/// What one tracked PID does with its packets' payloads; the base keeps the continuity counter
/// (ISO/IEC 13818-1 section 2.4.3.3), which advances by one per packet carrying payload.
/// </summary>
internal abstract class PidHandler : IDisposable
{
    private int _lastContinuity = -1;

    protected PidHandler(int pid, DemuxContext context)
    {
        Pid = pid;
        Context = context;
    }

    public int Pid { get; }

    protected DemuxContext Context { get; }

    /// <summary>
    /// Checks a payload-carrying packet's counter. Returns false for a duplicate (same counter as
    /// the packet before), which is to be ignored. A gap calls <see cref="OnPacketsLost"/> first.
    /// </summary>
    public bool CheckContinuity(int continuityCounter, bool discontinuity)
    {
        var last = _lastContinuity;
        _lastContinuity = continuityCounter;
        if (last < 0 || discontinuity)
        {
            return true;
        }

        if (continuityCounter == last)
        {
            Context.Counters.DuplicatePackets++;
            return false;
        }

        if (continuityCounter != ((last + 1) & 0x0F))
        {
            Context.Counters.ContinuityErrors++;
            OnPacketsLost();
        }

        return true;
    }

    /// <param name="payload">The packet's payload (after any adaptation field); may be empty.</param>
    /// <param name="unitStart">payload_unit_start_indicator: a PES or a section starts in this packet.</param>
    public abstract void OnPayload(ReadOnlySpan<byte> payload, bool unitStart);

    /// <summary>Packets of this PID went missing: whatever unit is being assembled is broken.</summary>
    protected abstract void OnPacketsLost();

    /// <summary>End of input: completes what can be completed.</summary>
    public virtual void Flush()
    {
    }

    public virtual void Dispose()
    {
    }
}
