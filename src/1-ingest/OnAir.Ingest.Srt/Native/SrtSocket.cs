using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace OnAir.Ingest.Srt.Native;

/// <summary>
/// An SRT socket (SRTSOCKET) owned by a SafeHandle: closed once, when disposed or finalised, and
/// never while a call on it is in progress on another thread.
/// </summary>
internal sealed unsafe class SrtSocket : SafeHandle
{
    /// <summary>SRT caps a stream id at 512 bytes.</summary>
    public const int MaxStreamIdBytes = 512;

    private SrtSocket(int id)
        : base(LibSrt.InvalidSocket, ownsHandle: true)
    {
        SetHandle(id);
    }

    public override bool IsInvalid => handle == LibSrt.InvalidSocket;

    /// <summary>The SRTSOCKET number, for epoll and logs.</summary>
    public int Id => (int)handle;

    public static SrtSocket Create()
    {
        var id = LibSrt.srt_create_socket();
        return id == LibSrt.InvalidSocket ? throw SrtException.Last("srt_create_socket") : new SrtSocket(id);
    }

    public void SetInt(SrtOption option, int value)
    {
        var id = Acquire(out var added);
        try
        {
            Check(LibSrt.srt_setsockflag(id, option, &value, sizeof(int)), "srt_setsockflag " + option);
        }
        finally
        {
            Release(added);
        }
    }

    public void SetString(SrtOption option, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        var id = Acquire(out var added);
        try
        {
            fixed (byte* p = bytes)
            {
                Check(LibSrt.srt_setsockflag(id, option, p, bytes.Length), "srt_setsockflag " + option);
            }
        }
        finally
        {
            Release(added);
        }
    }

    /// <summary>The stream id the caller sent (SRTO_STREAMID), empty when none.</summary>
    public string StreamId()
    {
        var buffer = stackalloc byte[MaxStreamIdBytes + 1];
        var length = MaxStreamIdBytes + 1;
        var id = Acquire(out var added);
        try
        {
            Check(LibSrt.srt_getsockflag(id, SrtOption.StreamId, buffer, &length), "srt_getsockflag SRTO_STREAMID");
        }
        finally
        {
            Release(added);
        }

        return Encoding.UTF8.GetString(buffer, Math.Clamp(length, 0, MaxStreamIdBytes));
    }

    public void Bind(IPEndPoint endPoint)
    {
        var address = endPoint.Serialize();
        var id = Acquire(out var added);
        try
        {
            fixed (byte* p = address.Buffer.Span)
            {
                Check(LibSrt.srt_bind(id, p, address.Size), $"srt_bind {endPoint}");
            }
        }
        finally
        {
            Release(added);
        }
    }

    public void Listen(int backlog)
    {
        var id = Acquire(out var added);
        try
        {
            Check(LibSrt.srt_listen(id, backlog), "srt_listen");
        }
        finally
        {
            Release(added);
        }
    }

    /// <summary>The address the socket is bound to (the port chosen when 0 was asked).</summary>
    public IPEndPoint LocalEndPoint()
    {
        var buffer = stackalloc byte[128];
        var length = 128;
        var id = Acquire(out var added);
        try
        {
            Check(LibSrt.srt_getsockname(id, buffer, &length), "srt_getsockname");
        }
        finally
        {
            Release(added);
        }

        return EndPointOf(new ReadOnlySpan<byte>(buffer, length)) ?? throw new SrtException("srt_getsockname: an address of an unknown family");
    }

    /// <summary>A pending connection, or null when none is (non-blocking listener).</summary>
    public SrtSocket? Accept(out IPEndPoint? remote)
    {
        var buffer = stackalloc byte[128];
        var length = 128;
        var id = Acquire(out var added);
        int accepted;
        try
        {
            accepted = LibSrt.srt_accept(id, buffer, &length);
        }
        finally
        {
            Release(added);
        }

        if (accepted == LibSrt.InvalidSocket)
        {
            remote = null;
            return LibSrt.LastErrorCode() == LibSrt.ErrorAsyncReceive ? null : throw SrtException.Last("srt_accept");
        }

        remote = EndPointOf(new ReadOnlySpan<byte>(buffer, length));
        return new SrtSocket(accepted);
    }

    /// <summary>One message into <paramref name="buffer"/>: its length, 0 when nothing is waiting; throws when the connection is gone.</summary>
    public int Receive(Span<byte> buffer)
    {
        var id = Acquire(out var added);
        int received;
        try
        {
            fixed (byte* p = buffer)
            {
                received = LibSrt.srt_recvmsg(id, p, buffer.Length);
            }
        }
        finally
        {
            Release(added);
        }

        if (received >= 0)
        {
            return received;
        }

        return LibSrt.LastErrorCode() == LibSrt.ErrorAsyncReceive ? 0 : throw SrtException.Last("srt_recvmsg");
    }

    /// <summary>libsrt's counters since the connection opened (never cleared), or null when the socket is gone.</summary>
    public SrtPerformance? Statistics()
    {
        SrtPerformance stats;
        var id = Acquire(out var added);
        try
        {
            return LibSrt.srt_bstats(id, &stats, 0) < 0 ? null : stats;
        }
        finally
        {
            Release(added);
        }
    }

    protected override bool ReleaseHandle() => LibSrt.srt_close((int)handle) == 0;

    private int Acquire(out bool added)
    {
        added = false;
        DangerousAddRef(ref added);
        return (int)handle;
    }

    private void Release(bool added)
    {
        if (added)
        {
            DangerousRelease();
        }
    }

    private static void Check(int result, string call)
    {
        if (result < 0)
        {
            throw SrtException.Last(call);
        }
    }

    /// <summary>A sockaddr_in or sockaddr_in6 (Linux layout: the family in host order first).</summary>
    internal static IPEndPoint? EndPointOf(ReadOnlySpan<byte> sockaddr)
    {
        if (sockaddr.Length < 2)
        {
            return null;
        }

        // Linux's AF_INET and AF_INET6, as libsrt and SocketAddress's buffer hold them (not .NET's enum values).
        var (family, size) = MemoryMarshal.Read<ushort>(sockaddr) switch
        {
            2 => (AddressFamily.InterNetwork, 16),
            10 => (AddressFamily.InterNetworkV6, 28),
            _ => (AddressFamily.Unknown, 0),
        };
        if (size == 0 || sockaddr.Length < size)
        {
            return null;
        }

        var address = new SocketAddress(family, size);
        sockaddr[..size].CopyTo(address.Buffer.Span);
        return (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);
    }
}
