namespace OnAir.Streams.Diagnostics;

/// <summary>
/// Keeps one kind of warning from flooding the log: the first few occurrences in an interval are
/// logged one by one, the rest only counted, and the count is logged once when the interval ends. An
/// interval opens at the first occurrence after a quiet one, so a burst is never split across two.
/// A flood of bad clients (idle sockets timing out, refused connections) then writes a few lines
/// per interval instead of one each, and a disk cannot be filled that way, while a lone failure is
/// still logged in full. Thread-safe: connections of every listener call it.
/// </summary>
public sealed class RepeatedWarning : IDisposable
{
    /// <summary>Occurrences logged one by one per interval.</summary>
    public const int DefaultBurst = 8;

    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Action<long, TimeSpan> _logSuppressed;
    private readonly int _burst;
    private readonly TimeSpan _interval;
    private readonly ITimer _flush;
    private bool _windowOpen; // an interval runs from the first occurrence after a quiet one
    private int _logged;
    private long _suppressed;
    private bool _disposed;

    /// <param name="logSuppressed">Logs how many occurrences were only counted during the interval (called on a timer thread, outside any lock).</param>
    public RepeatedWarning(TimeProvider time, Action<long, TimeSpan> logSuppressed, int burst = DefaultBurst, TimeSpan? interval = null)
    {
        _logSuppressed = logSuppressed;
        _burst = burst;
        _interval = interval ?? DefaultInterval;
        _flush = time.CreateTimer(_ => Flush(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Whether this occurrence is to be logged in full; false when it was counted for the interval's summary.</summary>
    public bool ShouldLog()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return true; // shutting down: nothing floods a log any more
            }

            if (!_windowOpen)
            {
                _windowOpen = true;
                _logged = 0;
                _flush.Change(_interval, Timeout.InfiniteTimeSpan);
            }

            if (_logged < _burst)
            {
                _logged++;
                return true;
            }

            _suppressed++;
            return false;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _flush.Dispose();
        Flush();
    }

    /// <summary>The interval is over: its count is logged, and the next occurrence opens a new one.</summary>
    private void Flush()
    {
        long suppressed;
        lock (_gate)
        {
            suppressed = _suppressed;
            _suppressed = 0;
            _windowOpen = false;
        }

        if (suppressed > 0)
        {
            _logSuppressed(suppressed, _interval);
        }
    }
}
