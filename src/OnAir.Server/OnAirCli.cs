using System.Net.Sockets;
using System.Reflection;
using OnAir.Server.Configuration;
using OnAir.Transcoding.Ffmpeg;

namespace OnAir.Server;

/// <summary>The <c>onair</c> command line: <c>serve</c> (the default), <c>--help</c>, <c>--version</c>.</summary>
public static class OnAirCli
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "serve";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        if (args is ["--help"] or ["-h"] or ["help"] || (command == "serve" && rest is ["--help"] or ["-h"]))
        {
            await stdout.WriteAsync(Usage).ConfigureAwait(false);
            return ExitOk;
        }

        if (args is ["--version"])
        {
            await stdout.WriteLineAsync($"onair {Version}").ConfigureAwait(false);
            return ExitOk;
        }

        if (command != "serve")
        {
            await stderr.WriteLineAsync($"onair: error: unknown command '{command}' (accepted: serve)").ConfigureAwait(false);
            return ExitUsage;
        }

        OnAirOptions options;
        try
        {
            options = OptionsLoader.Load(rest, Environment.GetEnvironmentVariables(), Directory.GetCurrentDirectory());
        }
        catch (ConfigurationError ex)
        {
            await stderr.WriteLineAsync($"onair: error: {ex.Message}").ConfigureAwait(false);
            return ExitUsage;
        }

        try
        {
            await using var server = ServerHost.Build(options);
            await server.RunAsync().ConfigureAwait(false);
            return ExitOk;
        }
        catch (Exception ex) when (ex is FfmpegUnavailableException or OnAir.Ingest.Srt.Native.SrtException)
        {
            await stderr.WriteLineAsync($"onair: error: {ex.Message}").ConfigureAwait(false);
            return ExitFailure;
        }
        catch (IOException ex) when (ex.InnerException is SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } || ex.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
        {
            await stderr.WriteLineAsync($"onair: error: {ex.Message} (another server on that port? choose others with --rtmp-port / --http-port)").ConfigureAwait(false);
            return ExitFailure;
        }
    }

    private static string Version => typeof(OnAirCli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    private const string Usage = """
        onair: live streaming server (RTMP in, HLS out)

        Usage: onair [serve] [flags]

          --rtmp-port N        RTMP ingest port (default 1935)
          --srt-port N         SRT ingest port, UDP (default 8890; 0: off)
          --webrtc-port N      WebRTC (WHIP) media port, UDP (default 8189; 0: off); publish with POST /whip/NAME
          --rtmps-port N       RTMP over TLS (default off; needs rtmps.certificateFile/keyFile or tls.* in onair.json)
          --http-port N        HLS origin, web UI, API and metrics port (default 8080)
          --bind ADDR          listen address of every port (default 127.0.0.1)
          --data-dir DIR       segments, recordings, database (default ./data)
          --config FILE        configuration file (default ./onair.json if present)
          --ladder NAME        default | passthrough (default: default)
          --ll-hls, --no-ll-hls  Low-Latency HLS parts (default on)
          --record             record every broadcast (MP4 and VOD HLS at /vod/ID...; policy in onair.json)

        Every flag is also a key in onair.json and an ONAIR_* environment variable
        (e.g. ONAIR_HTTP_PORT=8081, ONAIR_HLS__WINDOW_SEGMENTS=8). See onair.sample.json.

        Publish: ffmpeg -re -i in.mp4 -c copy -f flv rtmp://127.0.0.1:1935/live/STREAM_KEY
        Watch:   http://127.0.0.1:8080/live/STREAM_KEY/master.m3u8

        """;
}
