namespace OnAir.Media;

/// <summary>
/// Packs one producer's frame payloads side by side into shared chunks of <see cref="ChunkSize"/>
/// bytes, so a stream's GOP cache holds its GOP in a few equal arrays instead of sixty of assorted
/// sizes. Pooled per size, assorted arrays cost each size's own peak: with streams whose frame sizes
/// wander (every stream does), the pool held two GOPs per stream where one was in use. Chunks are
/// one size, so the pool holds only what the streams hold at their common peak, plus one partly
/// filled chunk per producer.
/// </summary>
/// <remarks>
/// A chunk lives until the last frame in it is released (frames are released in about the order
/// they were made: the GOP cache lets go of a whole GOP at each keyframe). Frames larger than
/// <see cref="MaxPackedLength"/> (keyframes, mostly) get an array of their own, so no chunk wastes
/// more than half of itself on a frame that did not fit (a tenth, on average, with 720p's frames). Not thread-safe: one producer (an
/// ingest session, a demuxer) rents from it on one loop; frames are released from any thread.
/// </remarks>
public sealed class FrameArena : IDisposable
{
    public const int ChunkSize = 64 * 1024;
    public const int MaxPackedLength = ChunkSize / 2;

    private readonly PayloadPool _pool;
    private Chunk? _current;
    private int _used;

    public FrameArena()
        : this(PayloadPool.Shared)
    {
    }

    internal FrameArena(PayloadPool pool) => _pool = pool;

    /// <summary>Chunks made so far (for tests and diagnostics).</summary>
    public int ChunksMade { get; private set; }

    /// <summary>Places <paramref name="length"/> bytes in the current chunk (or a fresh one); false when the frame is too large to pack.</summary>
    internal bool TryPlace(int length, out Chunk chunk, out int offset)
    {
        if (length > MaxPackedLength)
        {
            chunk = null!;
            offset = 0;
            return false;
        }

        if (_current is null || ChunkSize - _used < length)
        {
            _current?.Release(); // the arena's own reference: the chunk now lives as long as its frames
            _current = new Chunk(_pool, _pool.Rent(ChunkSize));
            _used = 0;
            ChunksMade++;
        }

        chunk = _current.AddRef();
        offset = _used;
        _used += length;
        return true;
    }

    /// <summary>Lets go of the chunk being filled; it returns to the pool when its frames are released.</summary>
    public void Dispose()
    {
        _current?.Release();
        _current = null;
    }

    /// <summary>One pooled array shared by the frames placed in it, reference counted (the arena holds one reference while filling it).</summary>
    internal sealed class Chunk(PayloadPool pool, byte[] array)
    {
        private int _references = 1;

        public byte[] Array { get; } = array;

        public Chunk AddRef()
        {
            Interlocked.Increment(ref _references);
            return this;
        }

        public void Release()
        {
            if (Interlocked.Decrement(ref _references) == 0)
            {
                pool.Return(Array);
            }
        }
    }
}
