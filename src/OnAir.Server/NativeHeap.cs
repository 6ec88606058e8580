using System.Runtime.InteropServices;

namespace OnAir.Server;

/// <summary>
/// Caps glibc's malloc arenas for the server process. glibc gives each thread that allocates
/// natively an arena of its own, up to 8 per core, and an arena keeps the pages it once held: the
/// runtime's native allocations (the JIT's working memory above all) spread over 16 arenas on a
/// 2-core machine held about 30 MiB of a 10-stream server's 74 MiB of anonymous memory, and each
/// time the thread pool grew under load (a build beside it) a new arena stepped RSS up by 5-8 MiB
/// that never came back (bench/soak.sh, session 11). The server allocates natively off its hot
/// paths only, so two arenas cost no measurable contention. A <c>MALLOC_ARENA_MAX</c> set in the
/// environment is left to rule.
/// </summary>
internal static class NativeHeap
{
    public const int DefaultArenas = 2;

    /// <summary>mallopt's M_ARENA_MAX (glibc malloc.h).</summary>
    private const int MallocArenaMax = -8;

    /// <summary>
    /// Call first thing in Main: arenas made before the cap are kept, and glibc fixes its limit when
    /// the 9th arena would be made, so the cap must come while few threads have allocated.
    /// Returns whether the cap was set (false: the environment sets it, or the C library is not glibc).
    /// </summary>
    public static bool LimitArenas(int arenas = DefaultArenas)
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("MALLOC_ARENA_MAX") is not null)
        {
            return false;
        }

        try
        {
            return mallopt(MallocArenaMax, arenas) == 1;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and others: no arenas to cap
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int mallopt(int param, int value);
}
