using System.Collections.Concurrent;
using System.Diagnostics;

namespace OnAir.Media;

/// <summary>
/// One access unit (a video picture or an audio frame) with its timestamps and the codec
/// configuration in force when it was produced.
/// Video payloads are AVCC (length-prefixed NAL units, <see cref="AvcConfig.NalLengthSize"/>);
/// audio payloads are raw AAC frames without ADTS headers.
/// </summary>
/// <remarks>
/// Frames are shared by every subscriber of a stream without copying: the payload is a pooled
/// array (or a slice of a producer's <see cref="FrameArena"/> chunk) and the frame is reference counted. Whoever holds a frame beyond the call that handed
/// it over calls <see cref="AddRef"/>, and <see cref="Release"/> when done; the last release
/// returns the payload and the frame object to their pools.
/// </remarks>
public sealed class MediaFrame
{
    private const int MaxPooledFrames = 4096;
    private static readonly ConcurrentQueue<MediaFrame> s_pool = new();

    private byte[] _buffer = [];
    private FrameArena.Chunk? _chunk; // the arena chunk _buffer belongs to; null when the array is the frame's own
    private int _offset;
    private int _length;
    private int _refCount;

    private MediaFrame()
    {
    }

    public TrackKind Kind { get; private set; }

    /// <summary>Decode timestamp, 90 kHz.</summary>
    public long Dts { get; private set; }

    /// <summary>Presentation timestamp, 90 kHz (Dts + composition offset).</summary>
    public long Pts { get; private set; }

    /// <summary>True for an IDR picture (a point where decoding can start); always true for audio.</summary>
    public bool IsKeyFrame { get; private set; }

    /// <summary>
    /// Set by a producer on the first frame after a break in its own timeline (a restarted
    /// encoder): packagers end the segment before it and mark the next one EXT-X-DISCONTINUITY.
    /// Set before the frame is published; false for every rented frame.
    /// </summary>
    public bool Discontinuity { get; set; }

    /// <summary>When the frame entered the stream (<see cref="TimeProvider.GetTimestamp"/>), 0 when unknown: how late downstream work is measured.</summary>
    public long ArrivedAt { get; set; }

    /// <summary>The codec configuration in force for this frame (immutable, shared).</summary>
    public CodecConfig Config { get; private set; } = null!;

    public ReadOnlyMemory<byte> Payload => new(_buffer, _offset, _length);

    public ReadOnlySpan<byte> Span => new(_buffer, _offset, _length);

    /// <summary>
    /// Rents a frame whose payload the caller fills through <see cref="WritablePayload"/>. Reference
    /// count starts at 1. A producer that makes frames continuously passes its <paramref name="arena"/>,
    /// which packs their payloads into shared chunks.
    /// </summary>
    public static MediaFrame Rent(TrackKind kind, long dts, long pts, bool isKeyFrame, CodecConfig config, int payloadLength, FrameArena? arena = null)
    {
        if (!s_pool.TryDequeue(out var frame))
        {
            frame = new MediaFrame();
        }

        frame.Kind = kind;
        frame.Dts = dts;
        frame.Pts = pts;
        frame.IsKeyFrame = isKeyFrame;
        frame.Discontinuity = false;
        frame.ArrivedAt = 0;
        frame.Config = config;
        if (arena is not null && arena.TryPlace(payloadLength, out var chunk, out var offset))
        {
            frame._chunk = chunk;
            frame._buffer = chunk.Array;
            frame._offset = offset;
        }
        else
        {
            frame._buffer = PayloadPool.Shared.Rent(Math.Max(payloadLength, 1)); // its own pool: see PayloadPool
            frame._offset = 0;
        }

        frame._length = payloadLength;
        frame._refCount = 1;
        return frame;
    }

    /// <summary>Rents a frame and copies <paramref name="payload"/> into it.</summary>
    public static MediaFrame Create(TrackKind kind, long dts, long pts, bool isKeyFrame, CodecConfig config, ReadOnlySpan<byte> payload, FrameArena? arena = null)
    {
        var frame = Rent(kind, dts, pts, isKeyFrame, config, payload.Length, arena);
        payload.CopyTo(frame.WritablePayload);
        return frame;
    }

    /// <summary>Moves the frame on the timeline by <paramref name="ticks"/>, while its producer still owns it (before it is published).</summary>
    public void ShiftTimestamps(long ticks)
    {
        Dts += ticks;
        Pts += ticks;
    }

    /// <summary>The payload while the frame is still owned by its producer (before it is published).</summary>
    public Span<byte> WritablePayload => new(_buffer, _offset, _length);

    public int ReferenceCount => Volatile.Read(ref _refCount);

    public MediaFrame AddRef()
    {
        var count = Interlocked.Increment(ref _refCount);
        Debug.Assert(count > 1, "AddRef on a released frame");
        return this;
    }

    public void Release()
    {
        var count = Interlocked.Decrement(ref _refCount);
        if (count > 0)
        {
            return;
        }

        if (count < 0)
        {
            throw new InvalidOperationException("MediaFrame released more times than it was referenced.");
        }

        if (_chunk is not null)
        {
            _chunk.Release();
            _chunk = null;
        }
        else
        {
            PayloadPool.Shared.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
        Config = null!;
        if (s_pool.Count < MaxPooledFrames)
        {
            s_pool.Enqueue(this);
        }
    }

    public override string ToString() =>
        $"{Kind} dts={Dts} pts={Pts}{(IsKeyFrame ? " key" : "")} {_length}B";
}
