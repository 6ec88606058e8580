using System.Buffers.Binary;
using OnAir.Media;
using OnAir.Media.Avc;

namespace OnAir.WebRtc.Rtp;

/// <summary>
/// H.264 over RTP (RFC 6184, packetization-mode 1: single NAL units, STAP-A, FU-A) back into access
/// units, as frames in OnAir's form (AVCC with 4-byte lengths, SPS and PPS in the frame's
/// <see cref="AvcConfig"/>). An access unit ends at the marker bit or when the timestamp changes.
/// After a loss, nothing goes out until the next IDR (a decoder could not use it), and
/// <see cref="NeedsKeyFrame"/> says so, for the PLI that asks the encoder for one. One thread.
/// </summary>
public sealed class H264Depacketizer : IDisposable
{
    /// <summary>The largest access unit accepted (a 4K IDR is a few MB).</summary>
    public const int MaxAccessUnitBytes = 8 * 1024 * 1024;

    private const int LengthSize = 4;
    private const byte TypeStapA = 24;
    private const byte TypeFuA = 28;

    private readonly ParameterSetTracker _parameterSets = new(NalSyntax.Avc);
    private readonly FrameArena _arena = new();
    private byte[] _accessUnit = new byte[64 * 1024];
    private int _length;
    private bool _isKeyFrame;
    private bool _broken;
    private bool _hasTimestamp;
    private uint _timestamp;
    private int _fragmentStart = -1;
    private long _unwrapped;
    private uint _lastTimestamp;
    private bool _started;

    /// <summary>Lets go of the frames' arena (the frames already made stay valid).</summary>
    public void Dispose() => _arena.Dispose();

    /// <summary>True from a loss (or the start) until an IDR has gone out: the encoder should be asked for a keyframe.</summary>
    public bool NeedsKeyFrame { get; private set; } = true;

    /// <summary>Access units dropped: broken by a loss, too large, or without SPS/PPS yet, or waiting for an IDR.</summary>
    public long Dropped { get; private set; }

    /// <summary>Takes one RTP payload, in sequence order; a frame when it completed an access unit (the caller owns its reference).</summary>
    /// <param name="lossBefore">Packets were lost just before this one.</param>
    public MediaFrame? Push(ReadOnlySpan<byte> payload, uint timestamp, bool marker, bool lossBefore)
    {
        if (!_started)
        {
            _started = true; // times count from the first packet, not from the first frame that goes out (often a later IDR)
            _lastTimestamp = timestamp;
        }

        MediaFrame? completed = null;
        if (lossBefore)
        {
            // The lost packets were the open access unit's tail or the next one's head: neither can be used.
            _broken = true;
        }

        if (_hasTimestamp && timestamp != _timestamp)
        {
            completed = Complete(); // the marker was lost: a new timestamp starts a new access unit
        }

        if (!_hasTimestamp)
        {
            _hasTimestamp = true;
            _timestamp = timestamp;
        }

        if (lossBefore)
        {
            _broken = true;
            _fragmentStart = -1;
        }

        if (payload.Length > 0)
        {
            Read(payload);
        }

        if (marker)
        {
            if (completed is not null)
            {
                // Two access units ended in one call only when the marker of the first was lost; keep the newer.
                completed.Release();
                Dropped++;
            }

            completed = Complete();
        }

        return completed;
    }

    private void Read(ReadOnlySpan<byte> payload)
    {
        var type = NalUnit.TypeOf(payload[0]);
        if (_fragmentStart >= 0 && type != TypeFuA)
        {
            _broken = true; // a fragmented NAL unit never ended
            _length = _fragmentStart;
            _fragmentStart = -1;
        }

        switch (type)
        {
            case >= 1 and <= 23:
                AddNal(payload);
                break;
            case TypeStapA:
                for (var offset = 1; offset + 2 <= payload.Length;)
                {
                    var size = BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]);
                    offset += 2;
                    if (size == 0 || offset + size > payload.Length)
                    {
                        _broken = true;
                        return;
                    }

                    AddNal(payload.Slice(offset, size));
                    offset += size;
                }

                break;
            case TypeFuA when payload.Length > 2:
                ReadFragment(payload);
                break;
            default:
                _broken = true; // STAP-B, MTAP, FU-B: not in packetization-mode 1
                break;
        }
    }

    private void ReadFragment(ReadOnlySpan<byte> payload)
    {
        var header = payload[1];
        var start = (header & 0x80) != 0;
        var end = (header & 0x40) != 0;
        if (start && _fragmentStart >= 0)
        {
            _broken = true; // a new fragmented NAL unit before the last one ended
            _length = _fragmentStart;
        }

        if (start)
        {
            // The NAL header is rebuilt from the FU indicator's F and NRI bits and the FU header's type.
            _fragmentStart = _length;
            if (!Reserve(LengthSize + 1 + payload.Length))
            {
                return;
            }

            _length += LengthSize;
            _accessUnit[_length++] = (byte)((payload[0] & 0xE0) | (header & 0x1F));
        }
        else if (_fragmentStart < 0)
        {
            _broken = true; // the start of this NAL was lost
            return;
        }

        if (!Reserve(payload.Length - 2))
        {
            return;
        }

        payload[2..].CopyTo(_accessUnit.AsSpan(_length));
        _length += payload.Length - 2;
        if (end)
        {
            var nalLength = _length - _fragmentStart - LengthSize;
            var nal = _accessUnit.AsSpan(_fragmentStart + LengthSize, nalLength);
            var type = NalUnit.TypeOf(nal[0]);
            if (type == NalUnit.TypeAccessUnitDelimiter || _parameterSets.Offer(nal))
            {
                _length = _fragmentStart; // not part of the frame's payload (Offer copied a parameter set)
            }
            else
            {
                BinaryPrimitives.WriteInt32BigEndian(_accessUnit.AsSpan(_fragmentStart), nalLength); // in place: no copy per fragmented NAL
                _isKeyFrame |= type == NalUnit.TypeIdrSlice;
            }

            _fragmentStart = -1;
        }
    }

    private void AddNal(ReadOnlySpan<byte> nal)
    {
        var type = NalUnit.TypeOf(nal[0]);
        if (type == NalUnit.TypeAccessUnitDelimiter || _parameterSets.Offer(nal))
        {
            return;
        }

        if (!Reserve(LengthSize + nal.Length))
        {
            return;
        }

        BinaryPrimitives.WriteInt32BigEndian(_accessUnit.AsSpan(_length), nal.Length);
        nal.CopyTo(_accessUnit.AsSpan(_length + LengthSize));
        _length += LengthSize + nal.Length;
        _isKeyFrame |= type == NalUnit.TypeIdrSlice;
    }

    private bool Reserve(int bytes)
    {
        if (_length + bytes > MaxAccessUnitBytes)
        {
            _broken = true;
            return false;
        }

        if (_length + bytes > _accessUnit.Length)
        {
            Array.Resize(ref _accessUnit, Math.Min(MaxAccessUnitBytes, Math.Max(_accessUnit.Length * 2, _length + bytes)));
        }

        return true;
    }

    private MediaFrame? Complete()
    {
        var (length, isKeyFrame, broken, timestamp) = (_length, _isKeyFrame, _broken || _fragmentStart >= 0, _timestamp);
        _length = 0;
        _isKeyFrame = false;
        _broken = false;
        _fragmentStart = -1;
        _hasTimestamp = false;
        _parameterSets.Update();
        if (length == 0)
        {
            return null;
        }

        if (broken)
        {
            NeedsKeyFrame = true;
            Dropped++;
            return null;
        }

        if (_parameterSets.Config is not { } config || (NeedsKeyFrame && !isKeyFrame))
        {
            Dropped++;
            return null;
        }

        NeedsKeyFrame = false;
        var dts = Unwrap(timestamp);
        var frame = MediaFrame.Rent(TrackKind.Video, dts, dts, isKeyFrame, config, length, _arena); // no B-frames in WebRTC's H.264 profiles
        _accessUnit.AsSpan(0, length).CopyTo(frame.WritablePayload);
        return frame;
    }

    /// <summary>RTP's 32-bit 90 kHz timestamps as 64-bit ticks from the first (MediaTime's clock is 90 kHz too).</summary>
    private long Unwrap(uint timestamp)
    {
        _unwrapped += (int)(timestamp - _lastTimestamp);
        _lastTimestamp = timestamp;
        return _unwrapped;
    }
}
