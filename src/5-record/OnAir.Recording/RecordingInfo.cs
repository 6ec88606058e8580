using System.Text.Json.Serialization;

namespace OnAir.Recording;

[JsonConverter(typeof(JsonStringEnumConverter<RecordingState>))]
public enum RecordingState
{
    /// <summary>The broadcast is on and its fragments are being appended.</summary>
    Recording,

    /// <summary>Finalised: the MP4 and the VOD playlists are served.</summary>
    Ready,

    /// <summary>Nothing playable was recorded (see <see cref="RecordingInfo.Error"/>).</summary>
    Failed,
}

/// <summary>One recorded rendition as finalisation measured it; the media file's layout lets the MP4 be served without a copy.</summary>
public sealed record RecordedRendition(string Name, string Codecs, int Width, int Height)
{
    public double DurationSeconds { get; init; }

    public long SizeBytes { get; init; }

    public long PeakBandwidth { get; init; }

    public long AverageBandwidth { get; init; }

    public double FrameRate { get; init; }

    /// <summary>Bytes of the init segment at the start of media.mp4: the progressive MP4's data starts after them.</summary>
    public long InitBytes { get; init; }

    /// <summary>Bytes of media.mp4 that hold complete fragments (a repaired file was cut here): its size once finalised.</summary>
    [JsonIgnore]
    public long ValidBytes => SizeBytes;
}

/// <summary>
/// A recording's metadata, persisted as recording.json in its directory (written whole and renamed
/// into place, so a crash leaves the previous version). Immutable: its owner replaces it.
/// </summary>
public sealed record RecordingInfo(string Id, string Stream, string SessionId, DateTimeOffset StartedAt, RecordingState State, IReadOnlyList<RecordedRendition> Renditions)
{
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>The first rendition's duration (source's, unless it recorded nothing).</summary>
    public double DurationSeconds { get; init; }

    /// <summary>Bytes on disk, every file of the recording.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Pauses in the media (publisher reconnects), closed up in the recording's timeline.</summary>
    public int Breaks { get; init; }

    /// <summary>How long the pauses were together: the recording is this much shorter than the broadcast.</summary>
    public double PausedSeconds { get; init; }

    /// <summary>Why the recording stopped before its broadcast ended, or failed.</summary>
    public string? Error { get; init; }

    /// <summary>The recording a clip was cut from.</summary>
    public string? ClipOf { get; init; }
}
