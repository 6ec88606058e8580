using System.Runtime.InteropServices;

namespace OnAir.Ingest.Srt.Native;

/// <summary>An SRT epoll set (srt_epoll_*): one waiting thread learns which of many sockets can be read.</summary>
internal sealed unsafe class SrtEpoll : SafeHandle
{
    /// <summary>SRT_EPOLL_ENABLE_EMPTY: waiting on an empty set is a wait, not an error.</summary>
    private const int EnableEmpty = 1;

    private SrtEpoll(int id)
        : base(-1, ownsHandle: true)
    {
        SetHandle(id);
    }

    public override bool IsInvalid => handle == -1;

    public static SrtEpoll Create()
    {
        var id = LibSrt.srt_epoll_create();
        if (id < 0)
        {
            throw SrtException.Last("srt_epoll_create");
        }

        var epoll = new SrtEpoll(id);
        _ = LibSrt.srt_epoll_set(id, EnableEmpty);
        return epoll;
    }

    /// <summary>Watches <paramref name="socket"/> for input (a message, or a connection on a listener) and errors.</summary>
    public void Add(SrtSocket socket)
    {
        var events = LibSrt.EpollIn | LibSrt.EpollErr;
        if (LibSrt.srt_epoll_add_usock((int)handle, socket.Id, &events) < 0)
        {
            throw SrtException.Last("srt_epoll_add_usock");
        }
    }

    /// <summary>Stops watching; harmless for a socket already closed (libsrt removes closed sockets itself).</summary>
    public void Remove(SrtSocket socket) => _ = LibSrt.srt_epoll_remove_usock((int)handle, socket.Id);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for ready sockets; how many were written to <paramref name="ready"/> (0 on timeout).</summary>
    public int Wait(Span<SrtEpollEvent> ready, long timeoutMs)
    {
        int count;
        fixed (SrtEpollEvent* p = ready)
        {
            count = LibSrt.srt_epoll_uwait((int)handle, p, ready.Length, timeoutMs);
        }

        return count < 0 ? throw SrtException.Last("srt_epoll_uwait") : count;
    }

    protected override bool ReleaseHandle() => LibSrt.srt_epoll_release((int)handle) == 0;
}
