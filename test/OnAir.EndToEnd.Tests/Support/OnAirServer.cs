using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using OnAir.Server;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>A real OnAir server on free loopback ports with its own data directory.</summary>
public sealed class OnAirServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OnAirServer(WebApplication app, OnAirOptions options, CollectingLoggerProvider logs)
    {
        _app = app;
        Options = options;
        Logs = logs;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{options.HttpPort}/"), Timeout = TimeSpan.FromSeconds(20) };
    }

    public OnAirOptions Options { get; }

    public CollectingLoggerProvider Logs { get; }

    public HttpClient Http { get; }

    public string RtmpUrl(string key) => $"rtmp://127.0.0.1:{Options.RtmpPort}/live/{key}";

    public Uri PlaylistUri(string name, string rendition = "source") => new(Http.BaseAddress!, $"live/{name}/{rendition}/playlist.m3u8");

    public Uri MasterUri(string name) => new(Http.BaseAddress!, $"live/{name}/master.m3u8");

    public static async Task<OnAirServer> StartAsync(Action<OnAirOptions>? configure = null)
    {
        var options = new OnAirOptions
        {
            RtmpPort = FreePort(),
            HttpPort = FreePort(),
            SrtPort = FreeUdpPort(),
            WebrtcPort = FreeUdpPort(),
            DataDir = Directory.CreateTempSubdirectory("onair-e2e-").FullName,
        };
        configure?.Invoke(options);
        var logs = new CollectingLoggerProvider();
        var app = ServerHost.Build(options, logging => logging.AddProvider(logs));
        await app.StartAsync();
        return new OnAirServer(app, options, logs);
    }

    /// <summary>Arguments for a server run as a child process that needs neither SRT nor WHIP: their default UDP ports may be taken on the machine (by an OnAir a person runs, or a bench job).</summary>
    public static readonly string[] NoUdpIngest = ["--srt-port", "0", "--webrtc-port", "0"];

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static int FreeUdpPort()
    {
        using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.Client.LocalEndPoint!).Port;
    }

    /// <summary>The SRT publish URL for <paramref name="key"/> in the access-control form of the contract.</summary>
    public string SrtUrl(string key, string? extra = null) => $"srt://127.0.0.1:{Options.SrtPort}?streamid=#!::r=live/{key},m=publish{extra}";

    public async Task StopAsync() => await _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(Options.DataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
