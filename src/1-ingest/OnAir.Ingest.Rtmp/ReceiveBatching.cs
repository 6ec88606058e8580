using System.Net.Sockets;

namespace OnAir.Ingest.Rtmp;

/// <summary>
/// Lets a publisher's bytes gather in the kernel for about <see cref="RtmpOptions.ReceiveBatchMilliseconds"/>
/// before its socket reports them readable (SO_RCVLOWAT). Unbatched, a stream is read in a small
/// read per TCP segment, and every read costs a wake-up, thread hand-offs and an ACK: that was half
/// of OnAir's CPU per passthrough stream (docs/performance.md).
/// </summary>
/// <remarks>
/// The low-water mark follows the bitrate of the last heartbeat interval, so a steady stream waits
/// about the batch time whatever its bitrate. When the publisher goes quiet the mark drops back to
/// one byte, so the tail of what it sent never waits for bytes that are not coming (a FIN or a
/// reset wakes the reader at any mark).
/// </remarks>
internal sealed class ReceiveBatching
{
    /// <summary>The most that is held back, whatever the bitrate: 64 KiB, 10 ms of a 50 Mbit/s stream.</summary>
    public const int MaxLowWaterBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly double _batchSeconds;
    private readonly TimeProvider _time;
    private long _bytesAtLastTick = -1;
    private long _lastTick;

    public ReceiveBatching(Socket socket, int batchMilliseconds, TimeProvider time)
    {
        _socket = socket;
        _batchSeconds = batchMilliseconds / 1000.0;
        _time = time;
    }

    /// <summary>The low-water mark in force, bytes.</summary>
    public int LowWaterBytes { get; private set; } = 1;

    /// <summary>Called by the heartbeat (about once a second) with the bytes the connection has read so far.</summary>
    public void Adapt(long bytesReceived, long now)
    {
        var first = _bytesAtLastTick < 0;
        var elapsed = _time.GetElapsedTime(_lastTick, now).TotalSeconds;
        var bytes = bytesReceived - _bytesAtLastTick;
        (_bytesAtLastTick, _lastTick) = (bytesReceived, now);
        if (first || elapsed <= 0)
        {
            return;
        }

        Apply((int)Math.Clamp(bytes / elapsed * _batchSeconds, 1, MaxLowWaterBytes));
    }

    /// <summary>Back to reading every byte at once (the connection stops publishing).</summary>
    public void Reset()
    {
        _bytesAtLastTick = -1;
        Apply(1);
    }

    private void Apply(int lowWater)
    {
        if (lowWater == LowWaterBytes)
        {
            return;
        }

        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater, lowWater);
            LowWaterBytes = lowWater;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // the connection is closing; its reader ends on its own
        }
    }
}
