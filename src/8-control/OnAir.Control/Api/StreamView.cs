using OnAir.Edge.Cluster;
using OnAir.Origin.Viewers;
using OnAir.Packaging.Hls;
using OnAir.Streams;
using OnAir.Transcoding;

namespace OnAir.Control.Api;

/// <summary>One stream as <c>GET /api/v1/streams</c> shows it (CONTRACT.md's fields first).</summary>
public sealed record StreamView(
    string Name,
    string State,
    string SessionId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    int Viewers,
    IReadOnlyList<RenditionView> Renditions,
    int Reconnects,
    PublisherView? Publisher,
    IngestView Ingest,
    TranscoderView? Transcoder,
    string? Node)
{
    /// <summary>A stream of another node of the cluster, as the shared directory lists it.</summary>
    public static StreamView Remote(ClusterStream stream) =>
        new(stream.Name, stream.State, stream.SessionId, stream.StartedAt, null, 0, [], 0, null, new IngestView(0, 0, 0), null, stream.Node);

    public static StreamView Of(LiveStream stream, StreamOutput? output, ViewerCount viewers, TranscoderStatus? transcoder, string? node = null)
    {
        // The output is this session's only while no later session of the name has replaced it.
        var current = output?.StreamId == stream.SessionId ? output : null;
        var renditions = new List<RenditionView>();
        RenditionVariant? source = null;
        foreach (var rendition in stream.Renditions)
        {
            RenditionVariant? variant = null;
            if (current is not null && current.TryGetRendition(rendition.Name, out var renditionOutput))
            {
                variant = renditionOutput!.Variant;
            }

            if (rendition == stream.Source)
            {
                source = variant;
            }

            renditions.Add(new RenditionView(
                rendition.Name,
                variant?.Width ?? 0,
                variant?.Height ?? 0,
                variant?.PeakBandwidth ?? 0,
                variant?.AverageBandwidth ?? 0,
                variant?.FrameRate ?? 0,
                viewers.ByRendition.GetValueOrDefault(rendition.Name)));
        }

        var publisher = stream.Publisher is { } p ? new PublisherView(p.ConnectionId, p.Remote, p.Link.Protocol, p.Link.Stats) : null;
        var ingest = new IngestView(stream.Source.Feed.FramesWritten, (source?.AverageBandwidth ?? 0) / 1000.0, source?.FrameRate ?? 0);
        return new StreamView(
            stream.Name,
            StateName(stream.State),
            stream.SessionId,
            stream.StartedAt,
            stream.EndedAt,
            viewers.Total,
            renditions,
            stream.Reconnects,
            publisher,
            ingest,
            transcoder is null ? null : TranscoderView.Of(transcoder),
            node);
    }

    /// <summary>CONTRACT.md's states: a stream attaching its first publisher (microseconds) is already live.</summary>
    public static string StateName(StreamState state) => state switch
    {
        StreamState.Reconnecting => "reconnecting",
        StreamState.Ended => "ended",
        _ => "live",
    };
}

/// <param name="Bandwidth">The master playlist's BANDWIDTH (peak bits/s over the window).</param>
public sealed record RenditionView(string Name, int Width, int Height, long Bandwidth, long AverageBandwidth, double FrameRate, int Viewers);

/// <param name="Protocol">How it publishes: rtmp, rtmps, srt.</param>
/// <param name="Link">Its link's health where the protocol measures it (SRT); null otherwise.</param>
public sealed record PublisherView(string ConnectionId, string? Remote, string Protocol, IngestLinkStats? Link);

/// <param name="BitrateKbps">The source's average bitrate over the playlist window.</param>
public sealed record IngestView(long Frames, double BitrateKbps, double Fps);

public sealed record TranscoderView(string State, double Speed, double LagSeconds, int Restarts, int Level, IReadOnlyList<string> Rungs)
{
    public static TranscoderView Of(TranscoderStatus status) =>
        new(SnakeCase.Of(status.State.ToString()), status.Speed, status.LagSeconds, status.Restarts, status.Level, [.. status.Rungs]);
}
