namespace OnAir.Recording;

/// <summary>A recording in progress: what its metadata does not know until it is finalised.</summary>
public sealed record RecordingProgress(long BytesWritten, string? StoppedBecause);

/// <summary>A recorded rendition as the API shows it.</summary>
public sealed record RecordingRenditionView(string Name, int Width, int Height, string Codecs, long Bandwidth, double DurationSeconds);

/// <summary>A recording as the API and the recording.ready webhook show it, with the URLs it is served at once ready.</summary>
public sealed record RecordingView(
    string Id,
    string Stream,
    string SessionId,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    double DurationSeconds,
    long SizeBytes,
    string State,
    IReadOnlyList<RecordingRenditionView> Renditions,
    int Breaks,
    double PausedSeconds,
    string? Error,
    string? ClipOf,
    string? Master,
    string? Mp4)
{
    /// <param name="progress">While recording: the bytes written so far and an early stop (the metadata knows them only once finalised).</param>
    public static RecordingView Of(RecordingInfo info, DateTimeOffset now, RecordingProgress? progress = null)
    {
        var recording = info.State == RecordingState.Recording;
        var ready = info.State == RecordingState.Ready;
        return new RecordingView(
            info.Id,
            info.Stream,
            info.SessionId,
            info.StartedAt,
            info.EndedAt,
            recording ? Math.Round((now - info.StartedAt).TotalSeconds, 3) : info.DurationSeconds,
            recording ? progress?.BytesWritten ?? info.SizeBytes : info.SizeBytes,
            info.State.ToString().ToLowerInvariant(),
            [.. info.Renditions.Select(r => new RecordingRenditionView(r.Name, r.Width, r.Height, r.Codecs, r.PeakBandwidth, r.DurationSeconds))],
            info.Breaks,
            info.PausedSeconds,
            info.Error ?? progress?.StoppedBecause,
            info.ClipOf,
            ready ? $"/vod/{info.Id}/master.m3u8" : null,
            ready ? $"/vod/{info.Id}.mp4" : null);
    }
}
