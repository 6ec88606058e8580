namespace OnAir.WebRtc.Rtp;

/// <summary>
/// Puts one RTP stream's packets back in sequence order. A packet after a hole is held (copied) for
/// up to <see cref="MaxWait"/> while the missing ones are asked for again (NACK, RFC 4585); a hole
/// still open then is given up on, and the depacketizer is told packets were lost before the next one.
/// Bounded: at most <see cref="MaxHeld"/> packets held. One thread.
/// </summary>
internal sealed class RtpReorderBuffer(TimeProvider time)
{
    public const int MaxHeld = 256;
    public static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(150);

    private readonly SortedDictionary<long, (byte[] Packet, int Length)> _held = [];
    private long _next = -1;
    private long _highest = -1;
    private long _holeSince;

    /// <summary>Packets given up on (never arrived in time).</summary>
    public long Lost { get; private set; }

    /// <summary>Packets that came too late or twice, dropped.</summary>
    public long Late { get; private set; }

    /// <summary>The extended highest sequence number received, for receiver reports.</summary>
    public long Highest => _highest;

    /// <summary>
    /// Takes <paramref name="packet"/> with sequence <paramref name="sequence"/>. In order: <paramref name="deliver"/> runs for it
    /// at once (no copy), then for held packets that follow it. After a hole: held, and the missing numbers are added to <paramref name="missing"/>.
    /// </summary>
    public void Push(ushort sequence, ReadOnlySpan<byte> packet, List<ushort> missing, DeliverHandler deliver)
    {
        var extended = Extend(sequence);
        var previousHighest = _highest;
        _highest = Math.Max(_highest, extended);
        if (_next < 0)
        {
            _next = extended;
        }

        if (extended < _next || _held.ContainsKey(extended))
        {
            Late++;
            return;
        }

        if (extended == _next)
        {
            deliver(packet, lossBefore: false);
            _next++;
            Release(deliver, lossBefore: false);
            return;
        }

        if (_held.Count == MaxHeld)
        {
            GiveUp(deliver);
            if (extended == _next)
            {
                deliver(packet, lossBefore: false); // what was held is out: this one follows it
                _next++;
                Release(deliver, lossBefore: false);
                return;
            }
        }

        if (_held.Count == 0)
        {
            _holeSince = time.GetTimestamp();
        }

        // The numbers this packet shows missing that no earlier packet did (each hole is asked for once).
        for (var s = Math.Max(_next, previousHighest + 1); s < extended && missing.Count < 64; s++)
        {
            missing.Add((ushort)s);
        }

        _held[extended] = (packet.ToArray(), packet.Length);
    }

    /// <summary>Called now and then: a hole open longer than <see cref="MaxWait"/> is given up on.</summary>
    public void Expire(DeliverHandler deliver)
    {
        if (_held.Count > 0 && time.GetElapsedTime(_holeSince) > MaxWait)
        {
            GiveUp(deliver);
        }
    }

    private void GiveUp(DeliverHandler deliver)
    {
        var first = _held.Keys.First();
        Lost += first - _next;
        _next = first;
        Release(deliver, lossBefore: true);
        _holeSince = time.GetTimestamp();
    }

    private void Release(DeliverHandler deliver, bool lossBefore)
    {
        while (_held.Remove(_next, out var held))
        {
            deliver(held.Packet.AsSpan(0, held.Length), lossBefore);
            lossBefore = false;
            _next++;
        }
    }

    /// <summary>16-bit sequence numbers extended across wraps, relative to the highest seen.</summary>
    private long Extend(ushort sequence)
    {
        if (_highest < 0)
        {
            return sequence;
        }

        var candidate = (_highest & ~0xFFFFL) | sequence;
        if (candidate < _highest - 0x8000)
        {
            candidate += 0x10000;
        }
        else if (candidate > _highest + 0x8000)
        {
            candidate -= 0x10000;
        }

        return candidate;
    }

    public delegate void DeliverHandler(ReadOnlySpan<byte> packet, bool lossBefore);
}
