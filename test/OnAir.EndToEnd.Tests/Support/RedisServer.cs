using System.Net.Sockets;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>A real redis-server (Debian's, installed by test.sh) on a free loopback port, nothing persisted.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private RedisServer(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var port = OnAirServer.FreePort();
        var process = ChildProcess.Start("redis-server", ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync("127.0.0.1", port);
                return new RedisServer(process, port);
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                await process.DisposeAsync();
                throw new InvalidOperationException($"redis-server did not listen on {port}: {process.Output}");
            }
        }
    }

    /// <summary>Redis goes away (a crash): clients see connection errors.</summary>
    public void Kill() => _process.KillHard();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
