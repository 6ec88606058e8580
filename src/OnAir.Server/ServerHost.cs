using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using OnAir.Control;
using OnAir.Web;
using OnAir.Control.Api;
using OnAir.Control.Keys;
using OnAir.Control.Webhooks;
using OnAir.Edge.Cluster;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Srt;
using OnAir.Ingest.Whip;
using OnAir.Origin;
using OnAir.Packaging;
using OnAir.Packaging.Hls;
using OnAir.Recording;
using OnAir.Recording.Vod;
using OnAir.Server.Limits;
using OnAir.Streams;
using OnAir.Transcoding;

namespace OnAir.Server;

/// <summary>DI wiring and Kestrel listeners: RTMP (a connection handler) and HTTP on one host.</summary>
public static class ServerHost
{
    /// <param name="configureLogging">Extra logging set-up (tests add a collecting provider).</param>
    public static WebApplication Build(OnAirOptions options, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss.fff ";
            console.UseUtcTimestamp = true;
        });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        configureLogging?.Invoke(builder.Logging);

        var services = builder.Services;
        services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(20));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(Options.Create(options));
        services.AddSingleton(Options.Create(options.Rtmp));
        services.AddSingleton(Options.Create(options.Hls.WithLowLatency(options.LlHls)));
        services.AddSingleton(Options.Create(options.Streams));
        services.AddSingleton(Options.Create(options.Lifecycle));
        services.AddSingleton(Options.Create(options.Origin));
        services.AddSingleton(new DataDirectory(options.DataDir));
        services.AddSingleton(Options.Create(options.Webhooks));
        services.AddSingleton(Options.Create(options.Recording));
        services.AddSingleton(new ApiAccess(options.Api, options.Bind));
        services.AddSingleton<StreamKeyStore>();
        services.AddSingleton<IStreamKeyResolver>(provider => provider.GetRequiredService<StreamKeyStore>());
        if (!string.IsNullOrEmpty(options.Webhooks.OnPublishUrl))
        {
            services.AddSingleton<IPublishAuthorizer, PublishHook>();
        }

        if (!string.IsNullOrEmpty(options.Redis))
        {
            if (string.IsNullOrEmpty(options.Cluster.NodeId))
            {
                options.Cluster.NodeId = $"{Environment.MachineName}:{options.HttpPort}";
            }

            services.AddSingleton(Options.Create(options.Cluster));
            services.AddSingleton(provider => ActivatorUtilities.CreateInstance<RedisStreamDirectory>(provider, options.Redis));
            services.AddSingleton<IStreamOwnership>(provider => provider.GetRequiredService<RedisStreamDirectory>());
            services.AddHostedService<ClusterHeartbeat>();
        }

        if (options.WebrtcPort != 0)
        {
            services.AddSingleton(Options.Create(options.Webrtc));
            services.AddSingleton(new WhipSettings(new IPEndPoint(IPAddress.Parse(options.Bind), options.WebrtcPort), options.Transcode.FfmpegPath));
            services.AddSingleton<WhipMetrics>();
            services.AddSingleton<WhipService>();
            services.AddHostedService(provider => provider.GetRequiredService<WhipService>());
            services.AddWhipCors();
        }

        services.AddOnAirMetrics();
        services.AddSingleton<ConnectionMetrics>();
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<ListenerCaps>(provider, options.Rtmp, options.Http));
        services.AddSingleton<StreamsMetrics>();
        services.AddSingleton<RtmpMetrics>();
        if (options.SrtPort != 0)
        {
            services.AddSingleton(Options.Create(options.Srt));
            services.AddSingleton<SrtMetrics>();
            services.AddSingleton(new SrtEndPoint(new IPEndPoint(IPAddress.Parse(options.Bind), options.SrtPort)));
            services.AddSingleton<SrtListener>();
            services.AddHostedService(provider => provider.GetRequiredService<SrtListener>());
        }

        services.AddSingleton<PackagingMetrics>();
        services.AddSingleton<TranscodingMetrics>();
        services.AddSingleton<RecordingMetrics>();
        services.AddSingleton<StreamEvents>();
        services.AddSingleton<StreamRegistry>();
        services.AddSingleton<HlsOutputRegistry>();
        services.AddSingleton(TranscoderSettingsFor(options));

        // Registered before packaging so it stops after it: the packaging service ends the streams,
        // then the transcoders drain and stop.
        services.AddSingleton<TranscodingService>();
        services.AddHostedService(provider => provider.GetRequiredService<TranscodingService>());
        services.AddSingleton<RecordingCatalog>();
        services.AddSingleton<RecordingEvents>();
        services.AddSingleton<RecordingService>();
        services.AddHostedService<WebhookService>(); // stops after packaging and recording: the streams' stream.ended and recording.ready go out
        services.AddHostedService(provider => provider.GetRequiredService<RecordingService>()); // stops after packaging, which ends the streams
        services.AddHostedService<HlsPackagingService>();
        services.AddOrigin();

        var address = IPAddress.Parse(options.Bind);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.KeepAliveTimeout = options.Http.KeepAliveTimeout;
            kestrel.Limits.RequestHeadersTimeout = options.Http.RequestHeadersTimeout;
            var caps = kestrel.ApplicationServices.GetRequiredService<ListenerCaps>();
            kestrel.Listen(address, options.RtmpPort, listen =>
            {
                listen.Use(caps.Rtmp.Wrap);
                listen.UseConnectionHandler<RtmpConnectionHandler>();
            });
            if (options.RtmpsPort != 0)
            {
                kestrel.Listen(address, options.RtmpsPort, listen =>
                {
                    listen.Use(caps.Rtmp.Wrap);
                    listen.UseRtmps(options.RtmpsCertificate!.LoadCertificate());
                });
            }

            kestrel.Listen(address, options.HttpPort, listen =>
            {
                listen.Use(caps.Http.Wrap);
                if (options.Tls.Enabled)
                {
                    // HTTP/2 (ALPN) where TLS is on: Apple's players require it for LL-HLS.
                    listen.Protocols = HttpProtocols.Http1AndHttp2;
                    listen.UseHttps(options.Tls.LoadCertificate());
                }
            });
        });

        var app = builder.Build();
        app.UseCors();
        app.MapOrigin();
        app.MapVod().RequireCors(OriginEndpoints.CorsPolicy); // players on other origins fetch recordings as they do live streams
        app.MapApi(app.Services.GetRequiredService<ApiAccess>());
        if (options.WebrtcPort != 0)
        {
            app.MapWhip();
        }

        app.MapHealth();
        app.MapOnAirMetrics();
        app.MapWeb();
        app.Lifetime.ApplicationStarted.Register(() => AnnounceUrls(app, options));
        return app;
    }

    private static TranscoderSettings TranscoderSettingsFor(OnAirOptions options)
    {
        var budget = options.Transcode.LagBudgetSeconds > 0 ? options.Transcode.LagBudgetSeconds : options.Hls.TargetDurationSeconds;
        return new TranscoderSettings(options.Ladder, Ladders.All(options.Ladders)[options.Ladder], options.Transcode, budget);
    }

    private static void AnnounceUrls(WebApplication app, OnAirOptions options)
    {
        var host = options.Bind is "0.0.0.0" or "::" ? "127.0.0.1" : options.Bind.Contains(':', StringComparison.Ordinal) ? $"[{options.Bind}]" : options.Bind;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("OnAir");
        var http = options.Tls.Enabled ? "https" : "http";
        ServerLog.Ready(logger, $"rtmp://{host}:{options.RtmpPort}/{options.Rtmp.App}/STREAM_KEY", $"{http}://{host}:{options.HttpPort}/live/STREAM_KEY/master.m3u8", $"{http}://{host}:{options.HttpPort}/", options.DataDir);
        if (app.Services.GetService<SrtListener>()?.LocalEndPoint is { } srt)
        {
            ServerLog.SrtReady(logger, $"srt://{host}:{srt.Port}?streamid={options.Srt.App}/STREAM_KEY");
        }

        if (options.RtmpsPort != 0)
        {
            ServerLog.RtmpsReady(logger, $"rtmps://{host}:{options.RtmpsPort}/{options.Rtmp.App}/STREAM_KEY");
        }

        if (!app.Services.GetRequiredService<ApiAccess>().Enabled)
        {
            ServerLog.ApiDisabled(logger, options.Bind);
        }
    }
}
