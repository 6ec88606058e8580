using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// One running ffmpeg as its supervisor (<see cref="StreamTranscoder"/>) sees it. <see cref="FfmpegRun"/>
/// is the real process; supervision tests pass fakes and drive them in virtual time.
/// </summary>
internal interface IFfmpegProcess : IAsyncDisposable
{
    int Pid { get; }

    /// <summary>Completes when the output has ended and the process has exited.</summary>
    Task Completion { get; }

    bool HasExited { get; }

    int? ExitCode { get; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> at start and at the last output frame.</summary>
    long StartedAt { get; }

    long LastOutputAt { get; }

    string StderrTail { get; }

    /// <summary>Whether <see cref="KillAsHung"/> ended it (the supervisor's failure message says so).</summary>
    bool KilledAsHung { get; }

    /// <summary>Input waiting longer than <paramref name="timeout"/> without output, or a write blocked that long.</summary>
    bool IsStalled(TimeSpan timeout);

    /// <summary>Writes a source frame to ffmpeg's input; false once ffmpeg no longer takes input.</summary>
    ValueTask<bool> WriteAsync(MediaFrame frame, CancellationToken cancellationToken);

    /// <summary>Ends the input so ffmpeg flushes and exits; kills it after <paramref name="drainTimeout"/>.</summary>
    Task FinishAsync(TimeSpan drainTimeout);

    void Kill();

    /// <summary>Kills a process found hung, remembering why. Safe from any thread (the watchdog's).</summary>
    void KillAsHung();
}

/// <summary>Starts one ffmpeg run: its arguments, what it reads, and where its output frames go.</summary>
internal delegate IFfmpegProcess FfmpegLauncher(IReadOnlyList<string> arguments, FfmpegInput input, Action<TsFrame> onFrame);
