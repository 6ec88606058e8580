using Microsoft.Extensions.Logging;

namespace OnAir.Recording;

/// <summary>Structured recording logs, stable event ids 7000-7099.</summary>
internal static partial class RecordingLog
{
    [LoggerMessage(7000, LogLevel.Information, "Recording {RecordingId}: started for stream {StreamName} (session {SessionId}), renditions: {Renditions}")]
    public static partial void Started(ILogger logger, string recordingId, string streamName, string sessionId, string renditions);

    [LoggerMessage(7001, LogLevel.Information, "Recording {RecordingId}: ready, {DurationSeconds:0.0} s, {SizeBytes} bytes, {Renditions} rendition(s), finalised in {FinaliseMilliseconds:0} ms")]
    public static partial void Ready(ILogger logger, string recordingId, double durationSeconds, long sizeBytes, int renditions, double finaliseMilliseconds);

    [LoggerMessage(7002, LogLevel.Error, "Recording {RecordingId}/{Rendition}: stopped, {Reason}")]
    public static partial void Stopped(ILogger logger, string recordingId, string rendition, string reason);

    [LoggerMessage(7003, LogLevel.Warning, "Recording {RecordingId}: left unfinished by a server that stopped without ending it (a crash or kill); repaired and finalised: {Rendition} keeps {KeptBytes} bytes of complete fragments, drops {DroppedBytes} ({Detail})")]
    public static partial void Repaired(ILogger logger, string recordingId, string rendition, long keptBytes, long droppedBytes, string detail);

    [LoggerMessage(7004, LogLevel.Error, "Recording {RecordingId}: failed, {Reason}")]
    public static partial void Failed(ILogger logger, string recordingId, string reason);

    [LoggerMessage(7005, LogLevel.Warning, "Recording directory {Directory} has no readable recording.json ({Reason}); it is left alone and not listed")]
    public static partial void Unreadable(ILogger logger, string directory, string reason);

    [LoggerMessage(7006, LogLevel.Information, "Recording {RecordingId}: deleted by retention ({Reason})")]
    public static partial void Expired(ILogger logger, string recordingId, string reason);

    [LoggerMessage(7007, LogLevel.Information, "Recording {RecordingId}: recording rendition {Rendition} too")]
    public static partial void RenditionAdded(ILogger logger, string recordingId, string rendition);

    [LoggerMessage(7008, LogLevel.Error, "Recording {RecordingId}: its files in {Directory} could not be deleted ({Reason}); it is no longer listed, delete the directory by hand")]
    public static partial void DeleteFailed(ILogger logger, string recordingId, string directory, string reason);

    [LoggerMessage(7009, LogLevel.Warning, "Recording {RecordingId}/{Rendition}: {DroppedBytes} bytes after the last complete fragment cut off ({Detail})")]
    public static partial void Truncated(ILogger logger, string recordingId, string rendition, long droppedBytes, string detail);

    [LoggerMessage(7010, LogLevel.Warning, "Recording {RecordingId}/{Rendition}: {Dropped} frames were dropped while recording fell behind the stream (a slow disk or an overloaded machine); at each drop the recording skipped to the next keyframe")]
    public static partial void FramesDropped(ILogger logger, string recordingId, string rendition, long dropped);

    [LoggerMessage(7011, LogLevel.Information, "Recording {RecordingId}/{Rendition}: new {Kind} codec parameters ({From} to {To}); the recording carries on with a new init segment (a discontinuity in its VOD playlist)")]
    public static partial void ConfigChanged(ILogger logger, string recordingId, string rendition, string kind, string from, string to);
}
