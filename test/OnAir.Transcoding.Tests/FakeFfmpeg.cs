using OnAir.Media;
using OnAir.Media.MpegTs;
using OnAir.Transcoding.Ffmpeg;

namespace OnAir.Transcoding.Tests;

/// <summary>
/// An ffmpeg run as its supervisor sees it, scripted by the test, on the test's clock: it takes
/// frames (or stops taking them), produces no output, and exits when told or killed.
/// </summary>
internal sealed class FakeFfmpeg : IFfmpegProcess
{
    private readonly TimeProvider _time;
    private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly bool _exitAtFirstWrite;
    private int _written;
    private int? _exitCode;
    private bool _killedAsHung;

    public FakeFfmpeg(int pid, TimeProvider time, bool exitAtFirstWrite)
    {
        Pid = pid;
        _time = time;
        _exitAtFirstWrite = exitAtFirstWrite;
        StartedAt = time.GetTimestamp();
        LastOutputAt = StartedAt;
    }

    public int Pid { get; }

    public int Written => Volatile.Read(ref _written);

    public Task Completion => _exited.Task;

    public bool HasExited => _exited.Task.IsCompleted;

    public int? ExitCode => _exitCode;

    public long StartedAt { get; }

    public long LastOutputAt { get; }

    public string StderrTail => "(fake)";

    public bool KilledAsHung => Volatile.Read(ref _killedAsHung);

    /// <summary>Like ffmpeg: input taken and no output for longer than the timeout.</summary>
    public bool IsStalled(TimeSpan timeout) => Written > 0 && _time.GetElapsedTime(LastOutputAt) > timeout;

    public ValueTask<bool> WriteAsync(MediaFrame frame, CancellationToken cancellationToken)
    {
        if (HasExited)
        {
            return ValueTask.FromResult(false);
        }

        Interlocked.Increment(ref _written);
        if (_exitAtFirstWrite)
        {
            Exit(1);
        }

        return ValueTask.FromResult(true);
    }

    public Task FinishAsync(TimeSpan drainTimeout)
    {
        Exit(0);
        return Task.CompletedTask;
    }

    public void Kill() => Exit(137);

    public void KillAsHung()
    {
        Volatile.Write(ref _killedAsHung, true);
        Kill();
    }

    /// <summary>The process ends by itself (a crash is a non-zero code).</summary>
    public void Exit(int code)
    {
        _exitCode ??= code;
        _exited.TrySetResult();
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>Hands out <see cref="FakeFfmpeg"/>s and remembers when each was launched.</summary>
internal sealed class FakeLauncher(TimeProvider time, Func<int, bool>? exitAtFirstWrite = null)
{
    private readonly List<(FakeFfmpeg Run, DateTimeOffset At)> _launches = [];

    public IReadOnlyList<(FakeFfmpeg Run, DateTimeOffset At)> Launches
    {
        get
        {
            lock (_launches)
            {
                return [.. _launches];
            }
        }
    }

    public IFfmpegProcess Launch(IReadOnlyList<string> arguments, FfmpegInput input, Action<TsFrame> onFrame)
    {
        lock (_launches)
        {
            var run = new FakeFfmpeg(1000 + _launches.Count, time, exitAtFirstWrite?.Invoke(_launches.Count) ?? false);
            _launches.Add((run, time.GetUtcNow()));
            return run;
        }
    }
}
