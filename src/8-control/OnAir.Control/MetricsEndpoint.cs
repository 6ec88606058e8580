using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using OnAir.Transcoding;

namespace OnAir.Control;

/// <summary>/metrics in the Prometheus text format (version 0.0.4): the transcoder's deadline figures per stream.</summary>
public static class MetricsEndpoint
{
    public static IEndpointRouteBuilder MapMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/metrics", (TranscodingService transcoding, HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Text(Render(transcoding.Statuses), "text/plain; version=0.0.4; charset=utf-8");
        });
        return endpoints;
    }

    internal static string Render(IEnumerable<TranscoderStatus> statuses)
    {
        var all = statuses.OrderBy(s => s.StreamName, StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        Family(text, "onair_transcode_state", "gauge", "1 for the transcoder state of each stream (running, restarting, fell_back, over_cap, no_rungs, ...)", all,
            s => Enum.GetValues<TranscoderState>().Select(state => ($"state=\"{Snake(state)}\"", s.State == state ? 1.0 : 0.0)));
        Family(text, "onair_transcode_speed", "gauge", "Transcoded media seconds per wall-clock second over the last 5 s (1 = real time)", all, s => [("", s.Speed)]);
        Family(text, "onair_transcode_lag_seconds", "gauge", "How far the transcoded renditions are behind the source", all, s => [("", s.LagSeconds)]);
        Family(text, "onair_transcode_rung_lag_seconds", "gauge", "How far each transcoded rendition is behind the source", all,
            s => s.RungLagSeconds.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => ($"rendition=\"{Escape(r.Key)}\"", r.Value)));
        Family(text, "onair_transcode_queue_frames", "gauge", "Source frames waiting for ffmpeg", all, s => [("", s.QueuedFrames)]);
        Family(text, "onair_transcode_dropped_frames_total", "counter", "Source frames ffmpeg never saw (restarts, catching up, queue overflow)", all, s => [("", s.DroppedInputFrames)]);
        Family(text, "onair_transcode_restarts_total", "counter", "ffmpeg restarts after a crash or hang", all, s => [("", s.Restarts)]);
        Family(text, "onair_transcode_degradation_level", "gauge", "Degradation steps taken (0 = full quality)", all, s => [("", s.Level)]);
        Family(text, "onair_transcode_rungs", "gauge", "Rungs being produced", all, s => [("", s.Rungs.Count)]);
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string type, string help, List<TranscoderStatus> statuses, Func<TranscoderStatus, IEnumerable<(string Labels, double Value)>> values)
    {
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
        text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        foreach (var status in statuses)
        {
            foreach (var (labels, value) in values(status))
            {
                text.Append(name).Append("{stream=\"").Append(Escape(status.StreamName)).Append('"');
                if (labels.Length > 0)
                {
                    text.Append(',').Append(labels);
                }

                text.Append("} ").Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }
    }

    private static string Snake(TranscoderState state) => string.Concat(state.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? $"_{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));

    // Stream names are [A-Za-z0-9_.-] (StreamName), so there is nothing to escape today; kept for safety.
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
}
