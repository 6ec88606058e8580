namespace OnAir.Media.MpegTs;

/// <summary>
/// Cuts an arbitrarily chunked byte stream into 188-byte transport packets. A packet that
/// straddles two chunks is completed in a small carry buffer; everything else is handed out in
/// place. After garbage it hunts for sync again: a 0x47 counts as a packet start only when
/// another 0x47 follows 188 bytes later, since 0x47 is as common as any byte in payloads.
/// </summary>
internal sealed class TsPacketSynchronizer
{
    public const int PacketSize = 188;
    public const byte SyncByte = 0x47;

    /// <summary>A candidate packet plus the first byte of the next, which confirms it.</summary>
    private const int HuntWindow = PacketSize + 1;

    private readonly TsDemuxerCounters _counters;
    private readonly byte[] _carry = new byte[HuntWindow];
    private int _carryLength;
    private int _consumeFromCarry;

    /// <summary>Optimistic start: a pipe or a file begins on a packet boundary, so the first packet is not held back.</summary>
    private bool _synced = true;

    public TsPacketSynchronizer(TsDemuxerCounters counters) => _counters = counters;

    /// <summary>
    /// Takes the next whole packet from the carry buffer or the start of <paramref name="data"/>,
    /// advancing <paramref name="data"/> past what it used. Returns false when <paramref name="data"/>
    /// is used up; a trailing partial packet then waits in the carry buffer for the next call.
    /// The packet is valid until the next call.
    /// </summary>
    public bool TryRead(ref ReadOnlySpan<byte> data, out ReadOnlySpan<byte> packet)
    {
        packet = default;
        DropConsumedCarry();
        while (true)
        {
            if (_carryLength > 0)
            {
                var required = _synced ? PacketSize : HuntWindow;
                if (_carryLength < required)
                {
                    var take = Math.Min(required - _carryLength, data.Length);
                    data[..take].CopyTo(_carry.AsSpan(_carryLength));
                    _carryLength += take;
                    data = data[take..];
                    if (_carryLength < required)
                    {
                        return false;
                    }
                }

                var window = _carry.AsSpan(0, _carryLength);
                if (_synced)
                {
                    if (window[0] != SyncByte)
                    {
                        LoseSync();
                        continue;
                    }

                    packet = window[..PacketSize];
                    _consumeFromCarry = PacketSize;
                    return true;
                }

                ShiftCarry(Hunt(window));
                continue;
            }

            if (data.IsEmpty)
            {
                return false;
            }

            if (_synced)
            {
                if (data[0] != SyncByte)
                {
                    LoseSync();
                    continue;
                }

                if (data.Length >= PacketSize)
                {
                    packet = data[..PacketSize];
                    data = data[PacketSize..];
                    return true;
                }
            }
            else
            {
                data = data[Hunt(data)..];
                if (_synced || data.IsEmpty)
                {
                    continue;
                }
            }

            // A partial packet (or an unconfirmed candidate) waits for the next chunk.
            data.CopyTo(_carry);
            _carryLength = data.Length;
            data = default;
            return false;
        }
    }

    /// <summary>
    /// End of input: a complete packet still waiting for its confirming sync byte is handed out;
    /// a partial packet is counted as truncated.
    /// </summary>
    public bool TryFlush(out ReadOnlySpan<byte> packet)
    {
        packet = default;
        DropConsumedCarry();
        if (_carryLength == PacketSize && _carry[0] == SyncByte)
        {
            packet = _carry.AsSpan(0, PacketSize);
            _consumeFromCarry = PacketSize;
            return true;
        }

        _counters.TruncatedBytes += _carryLength;
        _carryLength = 0;
        return false;
    }

    /// <summary>
    /// Skips bytes of <paramref name="window"/> that cannot start a packet and returns how many.
    /// Sets <see cref="_synced"/> when a 0x47 is confirmed by the next one; stops early (not synced)
    /// at a candidate whose confirmation lies beyond the window.
    /// </summary>
    private int Hunt(ReadOnlySpan<byte> window)
    {
        var skipped = 0;
        while (true)
        {
            var index = window[skipped..].IndexOf(SyncByte);
            if (index < 0)
            {
                _counters.SkippedBytes += window.Length - skipped;
                return window.Length;
            }

            _counters.SkippedBytes += index;
            skipped += index;
            if (window.Length - skipped < HuntWindow)
            {
                return skipped;
            }

            if (window[skipped + PacketSize] == SyncByte)
            {
                _synced = true;
                return skipped;
            }

            _counters.SkippedBytes++;
            skipped++;
        }
    }

    private void LoseSync()
    {
        _synced = false;
        _counters.SyncLosses++;
    }

    /// <summary>The packet handed out from the carry buffer last time has been processed by now.</summary>
    private void DropConsumedCarry()
    {
        if (_consumeFromCarry > 0)
        {
            ShiftCarry(_consumeFromCarry);
            _consumeFromCarry = 0;
        }
    }

    private void ShiftCarry(int count)
    {
        _carry.AsSpan(count, _carryLength - count).CopyTo(_carry);
        _carryLength -= count;
    }
}
