namespace OnAir.Media.MpegTs;

/// <summary>A declared stream of a type OnAir does not carry: its packets are accepted and thrown away, without buffering.</summary>
internal sealed class IgnoredPid(int pid, DemuxContext context) : PidHandler(pid, context)
{
    public override void OnPayload(ReadOnlySpan<byte> payload, bool unitStart)
    {
    }

    protected override void OnPacketsLost()
    {
    }
}
