using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OnAir.Streams.Diagnostics;

namespace OnAir.Ingest.Rtmp;

/// <summary>RTMPS: the same <see cref="RtmpConnectionHandler"/> behind Kestrel's TLS.</summary>
public static class RtmpsListener
{
    private static readonly object s_reachedRtmp = new();

    /// <summary>
    /// TLS with <paramref name="certificate"/>, then RTMP. A connection whose TLS handshake fails or
    /// times out (a plain RTMP client on this port, a scanner) is closed by Kestrel before RTMP sees a
    /// byte; it is logged here, since Kestrel says so only at debug level.
    /// </summary>
    public static void UseRtmps(this ListenOptions listen, X509Certificate2 certificate)
    {
        var services = listen.ApplicationServices;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger<RtmpConnectionHandler>();
        var failures = new RepeatedWarning(services.GetRequiredService<TimeProvider>(), (count, interval) => RtmpLog.TlsFailuresSuppressed(logger, count, interval.TotalSeconds));
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(failures.Dispose);
        listen.Use(next => async connection =>
        {
            var reached = new StrongBox<bool>();
            connection.Items[s_reachedRtmp] = reached;
            await next(connection).ConfigureAwait(false);
            if (!reached.Value && failures.ShouldLog())
            {
                RtmpLog.TlsHandshakeFailed(logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());
            }
        });
        listen.UseHttps(certificate);
        listen.Use(next => connection =>
        {
            ((StrongBox<bool>)connection.Items[s_reachedRtmp]!).Value = true;
            return next(connection);
        });
        listen.UseConnectionHandler<RtmpConnectionHandler>();
    }
}
