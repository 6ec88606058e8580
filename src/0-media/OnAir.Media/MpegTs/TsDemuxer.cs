using System.Buffers;

namespace OnAir.Media.MpegTs;

/// <summary>
/// Demultiplexes an MPEG-2 transport stream (ISO/IEC 13818-1) into <see cref="MediaFrame"/>s: the
/// transcoder's renditions coming back from ffmpeg (one H.264 PID per rung plus AAC) and, later,
/// SRT ingest. PAT, PMTs and every H.264 (0x1B), H.265 (0x24) and ADTS AAC (0x0F) stream of every program;
/// other stream types are listed in <see cref="Streams"/> and their packets ignored.
/// </summary>
/// <remarks>
/// <para>Input arrives in chunks of any size; a packet split across chunks is completed on the next
/// call. Output frames are the same model the RTMP ingest produces: 90 kHz DTS/PTS unwrapped past
/// the 33-bit wrap into 64-bit ticks (values are the stream's own, not rebased to zero), H.264 and
/// H.265 length-prefixed with 4-byte lengths and without delimiters or parameter sets (those are in
/// the frame's <see cref="VideoConfig"/>), AAC as raw frames.</para>
/// <para>Broken input is counted in <see cref="Counters"/>, never thrown: a lost packet drops the
/// PES it belonged to, a bad table is ignored, garbage is skipped until sync is found again, and
/// the frames after it come out as usual.</para>
/// <para>Not thread-safe: one instance per input, fed from one loop. Steady state allocates only
/// the frames themselves (pooled); tables and codec configurations allocate when they change.</para>
/// </remarks>
public sealed class TsDemuxer : IDisposable
{
    private readonly DemuxContext _context;
    private readonly TsPacketSynchronizer _synchronizer;
    private readonly PidTable _pids;

    /// <exception cref="ArgumentOutOfRangeException">An option is outside its documented range.</exception>
    public TsDemuxer(TsDemuxerOptions? options = null)
    {
        options ??= new TsDemuxerOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPesSize, 1024, nameof(options.MaxPesSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPids, 1, nameof(options.MaxPids));
        _context = new DemuxContext(options);
        _synchronizer = new TsPacketSynchronizer(_context.Counters);
        _pids = new PidTable(_context);
    }

    public TsDemuxerCounters Counters => _context.Counters;

    /// <summary>The elementary streams the current PMTs declare, program by program (a new list whenever a table changes).</summary>
    public IReadOnlyList<TsStreamInfo> Streams => _pids.Streams;

    /// <summary>Consumes all of <paramref name="data"/>; frames completed by it are added to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void Push(ReadOnlySequence<byte> data, List<TsFrame> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var segment in data)
        {
            Push(segment.Span, output);
        }
    }

    /// <summary>Consumes all of <paramref name="data"/>; frames completed by it are added to <paramref name="output"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void Push(ReadOnlySpan<byte> data, List<TsFrame> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _context.Output = output;
        try
        {
            while (_synchronizer.TryRead(ref data, out var packet))
            {
                ProcessPacket(packet);
            }
        }
        finally
        {
            _context.Output = null;
        }
    }

    /// <summary>
    /// End of input: the last PES of each stream (a video PES ends only when the next begins) is
    /// completed, and an incomplete last packet is counted as truncated.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public void Flush(List<TsFrame> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _context.Output = output;
        try
        {
            if (_synchronizer.TryFlush(out var packet))
            {
                ProcessPacket(packet);
            }

            _pids.Flush();
        }
        finally
        {
            _context.Output = null;
        }
    }

    /// <summary>Returns the pooled PES buffers; frames already handed out stay valid.</summary>
    public void Dispose()
    {
        _pids.Dispose();
        _context.Arena.Dispose();
    }

    /// <summary>One 188-byte packet (section 2.4.3.2), adaptation field (section 2.4.3.4) skipped.</summary>
    private void ProcessPacket(ReadOnlySpan<byte> packet)
    {
        var counters = _context.Counters;
        counters.Packets++;
        if ((packet[1] & 0x80) != 0)
        {
            counters.TransportErrors++;
            return;
        }

        var unitStart = (packet[1] & 0x40) != 0;
        var pid = ((packet[1] & 0x1F) << 8) | packet[2];
        var scrambled = (packet[3] & 0xC0) != 0;
        var adaptationControl = (packet[3] >> 4) & 0x03;
        var continuityCounter = packet[3] & 0x0F;
        if (pid == PidTable.NullPid)
        {
            return;
        }

        if (adaptationControl == 0)
        {
            counters.MalformedPackets++; // reserved
            return;
        }

        var payloadStart = 4;
        var discontinuity = false;
        if ((adaptationControl & 0x02) != 0)
        {
            // 183 bytes at most with no payload, 182 with payload (at least one payload byte).
            var adaptationLength = packet[4];
            if (adaptationLength > (adaptationControl == 0x03 ? 182 : 183))
            {
                counters.MalformedPackets++;
                return;
            }

            discontinuity = adaptationLength > 0 && (packet[5] & 0x80) != 0;
            if (discontinuity)
            {
                counters.Discontinuities++;
            }

            payloadStart += 1 + adaptationLength;
        }

        var handler = _pids[pid];
        if (handler is null)
        {
            counters.UnknownPidPackets++;
            return;
        }

        if (scrambled)
        {
            counters.ScrambledPackets++;
            return;
        }

        // The counter only advances on packets with payload; adaptation-only packets repeat it.
        if ((adaptationControl & 0x01) == 0 || !handler.CheckContinuity(continuityCounter, discontinuity))
        {
            return;
        }

        handler.OnPayload(packet[payloadStart..], unitStart);
    }
}
