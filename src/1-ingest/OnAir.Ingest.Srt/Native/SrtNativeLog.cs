using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace OnAir.Ingest.Srt.Native;

/// <summary>
/// libsrt's own log, taken from its stderr into OnAir's: handshake rejections libsrt decides itself
/// (a wrong or missing passphrase) are warnings with the reason, its other warnings and errors are
/// debug lines. libsrt has one log handler per process, so every running listener's logger gets them.
/// </summary>
internal static unsafe class SrtNativeLog
{
    private const int LogWarning = 4;
    private const int LogError = 3;
    private const int DisableTimeThreadSeverityEol = 1 | 2 | 4 | 8;
    private const string RejectMarker = "rsp(REJECT): ";

    /// <summary>libsrt reports the reject codes an application sets (1000 and up) shifted by 1000.</summary>
    private const int ApplicationRejections = 2000;
    private static readonly Lock s_gate = new();
    private static ILogger[] s_loggers = [];

    public static void Attach(ILogger logger)
    {
        lock (s_gate)
        {
            if (s_loggers.Length == 0)
            {
                LibSrt.srt_setlogflags(DisableTimeThreadSeverityEol);
                LibSrt.srt_setloghandler(0, &OnLog);
                LibSrt.srt_setloglevel(LogWarning);
            }

            s_loggers = [.. s_loggers, logger];
        }
    }

    public static void Detach(ILogger logger)
    {
        lock (s_gate)
        {
            s_loggers = [.. s_loggers.Where(l => l != logger)];
        }
    }

    [UnmanagedCallersOnly]
    private static void OnLog(nint opaque, int level, byte* file, int line, byte* area, byte* message)
    {
        try
        {
            var text = Marshal.PtrToStringUTF8((nint)message)?.Trim() ?? "";
            var reject = text.IndexOf(RejectMarker, StringComparison.Ordinal);
            var reason = reject >= 0 ? text[(reject + RejectMarker.Length)..] : null;
            if (reason is not null && int.TryParse(reason.AsSpan(0, Math.Max(0, reason.IndexOf(' ', StringComparison.Ordinal))), out var code) && code >= ApplicationRejections)
            {
                return; // OnAir's own rejection (SrtListener.OnListen), logged there with its reason
            }

            foreach (var logger in Volatile.Read(ref s_loggers))
            {
                if (reason is not null)
                {
                    SrtLog.Rejected(logger, "(address not given by libsrt)", reason + " (libsrt)");
                }
                else if (level <= LogError || level == LogWarning)
                {
                    SrtLog.Native(logger, text);
                }
            }
        }
        catch
        {
            // nothing may unwind into libsrt
        }
    }
}
