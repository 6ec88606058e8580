using System.Reflection;
using System.Runtime.InteropServices;

namespace OnAir.Ingest.Srt.Native;

/// <summary>
/// The entry points of libsrt 1.5 (srt/srt.h) OnAir uses, bound with <c>LibraryImport</c>. Debian ships
/// the library as libsrt-gnutls.so.1.5 (what ffmpeg and srt-tools depend on) or libsrt-openssl.so.1.5;
/// <see cref="TryLoad"/> finds whichever is installed. Callers use the safe wrappers in <see cref="SrtSocket"/> and <see cref="SrtEpoll"/>.
/// </summary>
internal static unsafe partial class LibSrt
{
    private const string Library = "srt";
    private static readonly string[] s_candidates = ["libsrt-gnutls.so.1.5", "libsrt-openssl.so.1.5", "libsrt.so.1.5", "libsrt.so"];
    private static readonly Lock s_gate = new();
    private static nint s_handle;
    private static bool s_started;

    public const int InvalidSocket = -1;
    public const int Error = -1;

    /// <summary>SRT_EASYNCRCV: nothing to read now (non-blocking socket).</summary>
    public const int ErrorAsyncReceive = 6002;

    public const int EpollIn = 0x1;
    public const int EpollErr = 0x8;

    /// <summary>Loads libsrt and calls srt_startup once per process; null on success, else what is missing and how to install it.</summary>
    public static string? TryLoad()
    {
        lock (s_gate)
        {
            if (s_started)
            {
                return null;
            }

            if (s_handle == 0)
            {
                foreach (var name in s_candidates)
                {
                    if (NativeLibrary.TryLoad(name, out s_handle))
                    {
                        break;
                    }
                }

                if (s_handle == 0)
                {
                    return $"libsrt is not installed (looked for {string.Join(", ", s_candidates)}); install it with: sudo apt-get install libsrt1.5-gnutls";
                }

                NativeLibrary.SetDllImportResolver(typeof(LibSrt).Assembly, Resolve);
            }

            if (srt_startup() < 0)
            {
                return "srt_startup failed: " + LastError();
            }

            s_started = true;
            return null;
        }
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? path) => name == Library ? s_handle : 0;

    /// <summary>The calling thread's last libsrt error as text, and its code.</summary>
    public static string LastError() => Marshal.PtrToStringUTF8(srt_getlasterror_str()) ?? "unknown error";

    public static int LastErrorCode() => srt_getlasterror(null);

    [LibraryImport(Library)]
    private static partial int srt_startup();

    [LibraryImport(Library)]
    public static partial int srt_create_socket();

    [LibraryImport(Library)]
    public static partial int srt_bind(int socket, byte* address, int addressLength);

    [LibraryImport(Library)]
    public static partial int srt_listen(int socket, int backlog);

    [LibraryImport(Library)]
    public static partial int srt_accept(int socket, byte* address, int* addressLength);

    [LibraryImport(Library)]
    public static partial int srt_listen_callback(int socket, delegate* unmanaged<nint, int, int, byte*, byte*, int> hook, nint opaque);

    [LibraryImport(Library)]
    public static partial int srt_close(int socket);

    [LibraryImport(Library)]
    public static partial int srt_getsockname(int socket, byte* address, int* addressLength);

    [LibraryImport(Library)]
    public static partial int srt_getsockflag(int socket, SrtOption option, void* value, int* length);

    [LibraryImport(Library)]
    public static partial int srt_setsockflag(int socket, SrtOption option, void* value, int length);

    [LibraryImport(Library)]
    public static partial int srt_recvmsg(int socket, byte* buffer, int length);

    [LibraryImport(Library)]
    public static partial int srt_bstats(int socket, SrtPerformance* stats, int clear);

    [LibraryImport(Library)]
    public static partial int srt_setrejectreason(int socket, int reason);

    [LibraryImport(Library)]
    private static partial nint srt_getlasterror_str();

    [LibraryImport(Library)]
    private static partial int srt_getlasterror(int* systemErrno);

    [LibraryImport(Library)]
    public static partial int srt_epoll_create();

    [LibraryImport(Library)]
    public static partial int srt_epoll_add_usock(int epoll, int socket, int* events);

    [LibraryImport(Library)]
    public static partial int srt_epoll_remove_usock(int epoll, int socket);

    [LibraryImport(Library)]
    public static partial int srt_epoll_uwait(int epoll, SrtEpollEvent* events, int count, long timeoutMs);

    [LibraryImport(Library)]
    public static partial int srt_epoll_set(int epoll, int flags);

    [LibraryImport(Library)]
    public static partial int srt_epoll_release(int epoll);

    [LibraryImport(Library)]
    public static partial void srt_setloglevel(int level);

    [LibraryImport(Library)]
    public static partial void srt_setloghandler(nint opaque, delegate* unmanaged<nint, int, byte*, int, byte*, byte*, void> handler);

    [LibraryImport(Library)]
    public static partial void srt_setlogflags(int flags);
}

/// <summary>SRT_EPOLL_EVENT.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct SrtEpollEvent
{
    public int Socket;
    public int Events;
}

/// <summary>The SRT_SOCKOPT values OnAir sets or reads (srt.h, 1.5).</summary>
internal enum SrtOption
{
    ReceiveSynchronous = 2,
    Latency = 23,
    Passphrase = 26,
    PeerIdleTimeout = 55,
    StreamId = 46,
    TransmissionType = 50,
}
