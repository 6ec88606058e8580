using System.Buffers;

namespace OnAir.Media.MpegTs;

/// <summary>
/// Reassembles the PES packets (ISO/IEC 13818-1 section 2.4.3.6) of one elementary stream and hands
/// each complete one to the stream's reader. A PES ends when its declared length is reached, or,
/// for video with PES_packet_length 0 (what ffmpeg writes), when the next one starts: a video frame
/// therefore leaves the demuxer one frame interval late, when the next frame's first packet comes.
/// </summary>
/// <remarks>The buffer is pooled, grows by doubling up to <see cref="TsDemuxerOptions.MaxPesSize"/> and is kept for the next PES.</remarks>
internal sealed class PesPid : PidHandler
{
    private const int InitialBufferSize = 4096;

    private readonly ElementaryStreamReader _reader;
    private byte[] _buffer = [];
    private int _length;

    /// <summary>PES_packet_length + 6, or 0 while unknown or left open.</summary>
    private int _declaredSize;

    /// <summary>A PES is being collected (false after a loss or a refusal, until the next unit start).</summary>
    private bool _collecting;

    public PesPid(int pid, ElementaryStreamReader reader, DemuxContext context)
        : base(pid, context)
    {
        _reader = reader;
    }

    public override void OnPayload(ReadOnlySpan<byte> payload, bool unitStart)
    {
        if (unitStart)
        {
            if (_collecting)
            {
                if (_declaredSize == 0)
                {
                    Complete();
                }
                else
                {
                    Drop(); // shorter than it said: part of it is missing
                    Context.Counters.MalformedPes++;
                }
            }

            _collecting = true;
            _length = 0;
            _declaredSize = 0;
        }

        if (!_collecting || payload.IsEmpty)
        {
            return;
        }

        if (!Append(payload))
        {
            return;
        }

        if (_declaredSize == 0 && _length >= PesHeader.PrefixSize)
        {
            var span = _buffer.AsSpan(0, _length);
            if (!PesHeader.HasStartCode(span))
            {
                Drop();
                Context.Counters.MalformedPes++;
                return;
            }

            _declaredSize = PesHeader.DeclaredSize(span);
            if (_declaredSize > Context.Options.MaxPesSize)
            {
                Drop();
                Context.Counters.OversizedPes++;
                return;
            }
        }

        if (_declaredSize > 0 && _length >= _declaredSize)
        {
            Complete(); // bytes after the declared end are not part of it
        }
    }

    public override void Flush()
    {
        if (_collecting && _declaredSize == 0 && _length > 0)
        {
            Complete();
        }
        else if (_collecting && _length > 0)
        {
            Drop();
            Context.Counters.MalformedPes++;
        }

        _collecting = false;
    }

    public override void Dispose()
    {
        _collecting = false;
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        base.Dispose();
    }

    protected override void OnPacketsLost()
    {
        if (_collecting)
        {
            Drop();
        }
    }

    private bool Append(ReadOnlySpan<byte> payload)
    {
        var needed = _length + payload.Length;
        if (needed > Context.Options.MaxPesSize)
        {
            Drop();
            Context.Counters.OversizedPes++;
            return false;
        }

        if (needed > _buffer.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(needed, Math.Max(InitialBufferSize, _buffer.Length * 2)), Context.Options.MaxPesSize));
            _buffer.AsSpan(0, _length).CopyTo(grown);
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = grown;
        }

        payload.CopyTo(_buffer.AsSpan(_length));
        _length = needed;
        return true;
    }

    private void Complete()
    {
        _collecting = false;
        var size = _declaredSize > 0 ? Math.Min(_declaredSize, _length) : _length;
        var pes = _buffer.AsSpan(0, size);
        if (!PesHeader.TryParse(pes, out var header))
        {
            Context.Counters.DroppedPes++;
            Context.Counters.MalformedPes++;
            return;
        }

        // DTS first: it is the earlier of the two, and the clock follows decode order.
        var dts = Context.Unwrap(header.Dts);
        var pts = Context.Unwrap(header.Pts);
        _reader.Read(Pid, pes[header.PayloadOffset..], pts, dts, Context);
    }

    private void Drop()
    {
        _collecting = false;
        Context.Counters.DroppedPes++;
    }
}
