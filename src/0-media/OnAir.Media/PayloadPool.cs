namespace OnAir.Media;

/// <summary>
/// The arrays behind frame payloads. A stream's GOP cache holds about sixty frames for two seconds
/// and gives them back together at the next keyframe: more than <see cref="System.Buffers.ArrayPool{T}.Shared"/>
/// keeps per size (32 per core), so with a few streams most came back as garbage and were allocated
/// again (two thirds of the server's allocations, promoted to gen2 while cached), and its powers of
/// two made a 17 KB frame take 32 KB. Here sizes are a quarter octave apart (a payload gets at most
/// 19 % more than it asked, 9 % on average), and each size keeps up to <see cref="MaxArraysPerSize"/>
/// arrays: what the streams hold at their peak, reused.
/// </summary>
/// <remarks>
/// A pool that only grows keeps each size's all-time peak: a 1-hour soak grew 7 % as the mix of
/// frame sizes wandered. Every <see cref="TrimInterval"/> each size drops the arrays that lay unused
/// for the whole interval (its low-water mark), so the pool follows what the streams hold now. The
/// interval is longer than any GOP a publisher sends in practice, so arrays that come back at every
/// keyframe stay.
/// </remarks>
internal sealed class PayloadPool
{
    private const int SmallestSize = 256;
    private const int SizesPerOctave = 4;
    private const int MaxArraysPerSize = 4096;

    /// <summary>Larger payloads (no H.264 picture in practice) are allocated and left to the GC.</summary>
    public const int MaxPooledLength = 8 * 1024 * 1024;

    public static readonly TimeSpan TrimInterval = TimeSpan.FromSeconds(30);

    private static readonly int[] s_sizes = BuildSizes();

    private readonly SizeClass[] _classes = [.. s_sizes.Select(_ => new SizeClass())];
    private readonly ITimer _trimTimer;

    public PayloadPool(TimeProvider timeProvider)
    {
        _trimTimer = timeProvider.CreateTimer(static pool => ((PayloadPool)pool!).Trim(), this, TrimInterval, TrimInterval);
    }

    /// <summary>The process's pool, which every <see cref="MediaFrame"/> uses.</summary>
    public static PayloadPool Shared { get; } = new(TimeProvider.System);

    public byte[] Rent(int length)
    {
        var index = ClassOf(length);
        if (index < 0)
        {
            return GC.AllocateUninitializedArray<byte>(length);
        }

        return _classes[index].TryTake() ?? GC.AllocateUninitializedArray<byte>(s_sizes[index]);
    }

    public void Return(byte[] array)
    {
        var index = Array.BinarySearch(s_sizes, array.Length);
        if (index >= 0)
        {
            _classes[index].Put(array);
        }
    }

    /// <summary>The free arrays the pool holds, over all sizes (for tests and diagnostics).</summary>
    internal int FreeArrays => _classes.Sum(sizeClass => sizeClass.Count);

    /// <summary>The size an array rented for <paramref name="length"/> bytes has (for tests).</summary>
    internal static int SizeFor(int length) => ClassOf(length) is var index and >= 0 ? s_sizes[index] : length;

    private void Trim()
    {
        foreach (var sizeClass in _classes)
        {
            sizeClass.DropUnused();
        }
    }

    private static int ClassOf(int length)
    {
        if (length > MaxPooledLength)
        {
            return -1;
        }

        var index = Array.BinarySearch(s_sizes, length);
        return index >= 0 ? index : ~index;
    }

    /// <summary>SmallestSize · 2^(k/4), rounded up to 64 bytes, up to the largest pooled length.</summary>
    private static int[] BuildSizes()
    {
        var sizes = new List<int>();
        for (var k = 0; sizes.Count == 0 || sizes[^1] < MaxPooledLength; k++)
        {
            var size = (int)Math.Ceiling(SmallestSize * Math.Pow(2, (double)k / SizesPerOctave) / 64) * 64;
            sizes.Add(Math.Min(size, MaxPooledLength));
        }

        return [.. sizes.Distinct()];
    }

    private sealed class SizeClass
    {
        private readonly Lock _gate = new();
        private readonly List<byte[]> _free = []; // a stack: the top serves next, the bottom lies unused longest
        private int _lowWater; // the fewest free arrays since the last trim: that many were not needed

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _free.Count;
                }
            }
        }

        public byte[]? TryTake()
        {
            lock (_gate)
            {
                if (_free.Count == 0)
                {
                    return null;
                }

                var array = _free[^1];
                _free.RemoveAt(_free.Count - 1);
                _lowWater = Math.Min(_lowWater, _free.Count);
                return array;
            }
        }

        public void Put(byte[] array)
        {
            lock (_gate)
            {
                if (_free.Count < MaxArraysPerSize)
                {
                    _free.Add(array);
                }
            }
        }

        public void DropUnused()
        {
            lock (_gate)
            {
                _free.RemoveRange(0, _lowWater);
                _lowWater = _free.Count;
            }
        }
    }
}
