using System.Diagnostics;
using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Transcoding.Ffmpeg;

/// <summary>
/// One ffmpeg process making a ladder: source frames go in on stdin (FLV or MPEG-TS, <see cref="FfmpegInput"/>)
/// (<see cref="WriteAsync"/>), its MPEG-TS on stdout is demultiplexed on a loop of its own and
/// every frame handed to the owner's callback, with timestamps mapped back to the source's
/// 64-bit timeline. Ends when ffmpeg exits, by itself or because its stdin was closed
/// (<see cref="FinishAsync"/>) or it was killed (<see cref="Kill"/>).
/// </summary>
internal sealed class FfmpegRun : IFfmpegProcess
{
    private const int StderrTailLength = 2048;
    private static readonly long s_wrap = 1L << 33;

    private readonly Process _process;
    private readonly Stream _stdin;
    private readonly Action<MediaFrame> _writeInput;
    private readonly Action<TsFrame> _onFrame;
    private readonly TimeProvider _time;
    private readonly Task _stdout;
    private readonly Task _stderr;
    private readonly Lock _stderrGate = new();
    private readonly System.Text.StringBuilder _stderrTail = new();
    private long _firstInputPts = long.MinValue;
    private long _timestampOffset;
    private bool _offsetKnown;
    private long _lastInputAt;
    private long _lastOutputAt;
    private long _writingSince;
    private bool _stdinClosed;
    private bool _killedAsHung;

    private FfmpegRun(Process process, FfmpegInput input, Action<TsFrame> onFrame, TimeProvider time)
    {
        _process = process;
        Pid = process.Id;
        _onFrame = onFrame;
        _time = time;
        _stdin = new BufferedStream(process.StandardInput.BaseStream, 64 * 1024);
        _writeInput = input.CreateWriter(_stdin);
        StartedAt = time.GetTimestamp();
        _lastOutputAt = StartedAt;
        _stdout = Task.Run(ReadOutputAsync);
        _stderr = Task.Run(ReadErrorsAsync);
    }

    public int Pid { get; }

    /// <summary>Completes when ffmpeg's output has ended and the process has exited.</summary>
    public Task Completion => _stdout;

    public bool HasExited => _stdout.IsCompleted;

    public long StartedAt { get; }

    /// <summary>Timestamp (<see cref="TimeProvider.GetTimestamp"/>) of the last frame written / read.</summary>
    public long LastInputAt => Volatile.Read(ref _lastInputAt);

    public long LastOutputAt => Volatile.Read(ref _lastOutputAt);

    /// <summary>
    /// Whether ffmpeg has had input waiting for longer than <paramref name="timeout"/> without giving
    /// any output: it took a frame and produced nothing since, or it stopped reading its stdin.
    /// </summary>
    public bool IsStalled(TimeSpan timeout)
    {
        var lastOutput = LastOutputAt;
        if (_time.GetElapsedTime(lastOutput) <= timeout)
        {
            return false;
        }

        var writingSince = Volatile.Read(ref _writingSince);
        return LastInputAt > lastOutput || (writingSince != 0 && _time.GetElapsedTime(writingSince) > timeout);
    }

    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    /// <summary>The last lines ffmpeg wrote to stderr, for the log line that explains a failure.</summary>
    public string StderrTail
    {
        get
        {
            lock (_stderrGate)
            {
                return _stderrTail.Length == 0 ? "(nothing)" : _stderrTail.ToString().Trim().ReplaceLineEndings(" | ");
            }
        }
    }

    /// <exception cref="System.ComponentModel.Win32Exception">ffmpeg could not be started.</exception>
    public static FfmpegRun Start(string ffmpegPath, IEnumerable<string> arguments, FfmpegInput input, Action<TsFrame> onFrame, TimeProvider time)
    {
        var info = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException($"{ffmpegPath} did not start");
        return new FfmpegRun(process, input, onFrame, time);
    }

    /// <summary>Writes one source frame to ffmpeg. Returns false when ffmpeg is gone (its stdin is broken).</summary>
    public async ValueTask<bool> WriteAsync(MediaFrame frame, CancellationToken cancellationToken)
    {
        if (_stdinClosed || HasExited)
        {
            return false;
        }

        if (_firstInputPts == long.MinValue && frame.Kind == TrackKind.Video)
        {
            Volatile.Write(ref _firstInputPts, frame.Pts);
        }

        Volatile.Write(ref _writingSince, _time.GetTimestamp());
        try
        {
            _writeInput(frame);
            await _stdin.FlushAsync(cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _lastInputAt, _time.GetTimestamp());
            return true;
        }
        catch (IOException)
        {
            return false; // broken pipe: ffmpeg exited
        }
        finally
        {
            Volatile.Write(ref _writingSince, 0);
        }
    }

    /// <summary>Closes stdin so ffmpeg encodes what it has and exits; kills it if that takes longer than <paramref name="drainTimeout"/>.</summary>
    public async Task FinishAsync(TimeSpan drainTimeout)
    {
        CloseStdin();
        try
        {
            await _stdout.WaitAsync(drainTimeout, _time).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            await _stdout.ConfigureAwait(false);
        }
    }

    public bool KilledAsHung => Volatile.Read(ref _killedAsHung);

    public void KillAsHung()
    {
        Volatile.Write(ref _killedAsHung, true);
        Kill();
    }

    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true); // a wrapper script (transcode.ffmpegPath) may not exec
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    public async ValueTask DisposeAsync()
    {
        CloseStdin();
        Kill();
        await _stdout.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _stderr.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _process.Dispose();
    }

    private void CloseStdin()
    {
        if (_stdinClosed)
        {
            return;
        }

        _stdinClosed = true;
        try
        {
            _stdin.Dispose();
        }
        catch (IOException)
        {
            // ffmpeg already gone; the buffered tail is lost with it
        }
    }

    private async Task ReadOutputAsync()
    {
        var buffer = new byte[64 * 1024];
        var frames = new List<TsFrame>();
        using var demuxer = new TsDemuxer();
        var stdout = _process.StandardOutput.BaseStream;
        try
        {
            int read;
            while ((read = await stdout.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                demuxer.Push(buffer.AsSpan(0, read), frames);
                Deliver(frames);
            }
        }
        catch (IOException)
        {
            // the pipe broke with the process; what was read is delivered below
        }

        demuxer.Flush(frames);
        Deliver(frames);
        await _process.WaitForExitAsync().ConfigureAwait(false);
    }

    private void Deliver(List<TsFrame> frames)
    {
        if (frames.Count == 0)
        {
            return;
        }

        Volatile.Write(ref _lastOutputAt, _time.GetTimestamp());
        foreach (var output in frames)
        {
            output.Frame.ShiftTimestamps(TimestampOffset(output.Frame));
            _onFrame(output);
        }

        frames.Clear();
    }

    /// <summary>
    /// ffmpeg keeps the source's timestamps (-copyts) but MPEG-TS wraps them at 33 bits: the offset
    /// is the multiple of 2^33 that puts its first frame nearest the first frame written.
    /// </summary>
    private long TimestampOffset(MediaFrame first)
    {
        if (!_offsetKnown)
        {
            var expected = Volatile.Read(ref _firstInputPts);
            _timestampOffset = expected == long.MinValue ? 0 : (long)Math.Round((expected - first.Pts) / (double)s_wrap) * s_wrap;
            _offsetKnown = true;
        }

        return _timestampOffset;
    }

    private async Task ReadErrorsAsync()
    {
        var stderr = _process.StandardError;
        while (await stderr.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (_stderrGate)
            {
                _stderrTail.AppendLine(line);
                if (_stderrTail.Length > StderrTailLength)
                {
                    _stderrTail.Remove(0, _stderrTail.Length - StderrTailLength);
                }
            }
        }
    }
}
