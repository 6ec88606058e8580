using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xunit;

namespace OnAir.Ingest.Rtmp.Tests;

/// <summary>The low-water mark a publisher's socket gets, read back from the kernel (a real loopback socket).</summary>
public sealed class ReceiveBatchingTests : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Socket _client = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _server;

    public ReceiveBatchingTests()
    {
        _listener.Start();
        _client.Connect((IPEndPoint)_listener.LocalEndpoint);
        _server = _listener.AcceptSocket();
    }

    private int KernelLowWater => (int)_server.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReceiveLowWater)!;

    [Fact]
    public void A_steady_stream_is_held_back_for_the_batch_time_at_its_bitrate_and_a_quiet_one_not_at_all()
    {
        var batching = new ReceiveBatching(_server, batchMilliseconds: 20, TimeProvider.System);
        var t0 = Stopwatch.GetTimestamp();
        long Second(double s) => t0 + (long)(s * Stopwatch.Frequency);

        batching.Adapt(0, Second(0)); // the first tick only starts the count
        Assert.Equal(1, KernelLowWater);

        batching.Adapt(312_500, Second(1)); // 2.5 Mbit/s: 20 ms of it
        Assert.Equal((6250, 6250), (batching.LowWaterBytes, KernelLowWater));

        batching.Adapt(312_500 + 62_500, Second(3)); // the rate is per second, whatever the tick's length: 31,250 B/s
        Assert.Equal(625, KernelLowWater);

        batching.Adapt(312_500 + 62_500, Second(4)); // silence: the tail is read at once
        Assert.Equal(1, KernelLowWater);

        batching.Adapt(375_000 + 100_000_000, Second(5)); // 800 Mbit/s: capped
        Assert.Equal(ReceiveBatching.MaxLowWaterBytes, KernelLowWater);

        batching.Reset(); // no longer publishing
        Assert.Equal(1, KernelLowWater);
    }

    [Fact]
    public void A_closed_socket_is_left_alone()
    {
        var batching = new ReceiveBatching(_server, batchMilliseconds: 20, TimeProvider.System);
        var t0 = Stopwatch.GetTimestamp();
        batching.Adapt(0, t0);
        _server.Dispose();
        batching.Adapt(1_000_000, t0 + Stopwatch.Frequency); // no exception: the reader ends on its own
        Assert.Equal(1, batching.LowWaterBytes);
    }

    public void Dispose()
    {
        _server.Dispose();
        _client.Dispose();
        _listener.Stop();
    }
}
