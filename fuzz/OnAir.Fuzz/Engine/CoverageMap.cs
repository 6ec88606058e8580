using System.Numerics;
using System.Runtime.InteropServices;

namespace OnAir.Fuzz.Engine;

/// <summary>
/// The edge coverage of one execution, as SharpFuzz's instrumentation records it (AFL's scheme: a
/// 64 KiB map of hit counts indexed by hashed branch edges, through <c>SharpFuzz.Common.Trace</c>),
/// and every edge and hit-count bucket seen so far. An input that reaches a new edge, or an edge a
/// new number of times (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), is worth keeping. The map itself
/// is one for the process, set before any instrumented code runs and never freed: instrumented code
/// writes to it wherever it runs (a target's seeds are built with OnAir's own writers too).
/// </summary>
internal sealed unsafe class CoverageMap
{
    public const int Size = 1 << 16;

    private static readonly byte* s_map = Install();

    private readonly byte* _map = s_map;
    private readonly byte[] _seen = new byte[Size];

    /// <summary>Edges seen so far in any execution (0 when the assemblies are not instrumented).</summary>
    public int Edges { get; private set; }

    /// <summary>Clears the map before an execution.</summary>
    public void Reset()
    {
        new Span<byte>(_map, Size).Clear();
        SharpFuzz.Common.Trace.PrevLocation = 0;
    }

    /// <summary>Folds the last execution's map into what was seen; true when it found something new.</summary>
    public bool Merge()
    {
        var found = false;
        var words = (ulong*)_map;
        for (var w = 0; w < Size / 8; w++)
        {
            if (words[w] == 0)
            {
                continue; // most of the map, most of the time
            }

            for (var i = w * 8; i < (w * 8) + 8; i++)
            {
                var hits = _map[i];
                if (hits == 0)
                {
                    continue;
                }

                var bucket = Bucket(hits);
                if ((_seen[i] & bucket) == 0)
                {
                    Edges += _seen[i] == 0 ? 1 : 0;
                    _seen[i] |= bucket;
                    found = true;
                }
            }
        }

        return found;
    }

    /// <summary>Call first thing: instrumented assemblies must find the map before their first instruction runs.</summary>
    public static void EnsureInstalled() => _ = s_map;

    private static byte* Install()
    {
        var map = (byte*)NativeMemory.AllocZeroed(Size);
        SharpFuzz.Common.Trace.SharedMem = map;
        return map;
    }

    /// <summary>A bit per range of hit counts: a loop that runs once more is not new, one that runs twice as long is.</summary>
    private static byte Bucket(byte hits) => hits switch
    {
        1 => 1,
        2 => 2,
        3 => 4,
        < 8 => 8,
        < 16 => 16,
        < 32 => 32,
        < 128 => 64,
        _ => 128,
    };

    /// <summary>Bits set in what was seen: a finer figure than edges for the report.</summary>
    public int Buckets() => _seen.Sum(b => BitOperations.PopCount(b));
}
