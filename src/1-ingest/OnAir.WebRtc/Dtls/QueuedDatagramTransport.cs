using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace OnAir.WebRtc.Dtls;

/// <summary>
/// BouncyCastle's view of one peer on the shared UDP socket: datagrams the socket loop routes to this
/// session are queued here for the handshake thread; what DTLS sends goes out through <paramref name="send"/>.
/// </summary>
internal sealed class QueuedDatagramTransport(Action<ReadOnlyMemory<byte>> send) : DatagramTransport
{
    /// <summary>What DTLS sends fits 1200 bytes (safe under any path MTU); what it receives may be a full datagram.</summary>
    private const int SendLimit = 1200;
    private const int ReceiveLimit = 2048;
    private const int MaxQueued = 64;

    private readonly BlockingCollection<byte[]> _received = new(MaxQueued);
    private volatile bool _closed;

    /// <summary>From the socket loop: never blocks it; a full queue (a peer flooding the handshake) drops.</summary>
    public void Deliver(ReadOnlySpan<byte> datagram)
    {
        if (!_closed)
        {
            try
            {
                _received.TryAdd(datagram.ToArray());
            }
            catch (InvalidOperationException)
            {
                // closed meanwhile
            }
        }
    }

    public int GetReceiveLimit() => ReceiveLimit;

    public int GetSendLimit() => SendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (_closed)
        {
            throw new TlsTimeoutException("the session closed");
        }

        byte[]? datagram;
        try
        {
            if (!_received.TryTake(out datagram, waitMillis))
            {
                return -1;
            }
        }
        catch (InvalidOperationException)
        {
            throw new TlsTimeoutException("the session closed"); // Close completed the queue: the waiting thread ends now
        }

        var length = Math.Min(datagram.Length, buffer.Length);
        datagram.AsSpan(0, length).CopyTo(buffer);
        return length;
    }

    public void Send(byte[] buf, int off, int len) => send(buf.AsMemory(off, len).ToArray());

    public void Send(ReadOnlySpan<byte> buffer) => send(buffer.ToArray());

    public void Close()
    {
        _closed = true;
        _received.CompleteAdding();
    }
}
