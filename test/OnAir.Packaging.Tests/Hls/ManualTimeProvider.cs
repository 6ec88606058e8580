namespace OnAir.Packaging.Tests.Hls;

/// <summary>
/// A clock that only moves when the test says so. Timers created on it never fire: tests drive
/// the work timers would trigger (e.g. <c>HlsPackagingService.CollectExpired</c>) themselves.
/// </summary>
internal sealed class ManualTimeProvider : TimeProvider
{
    private long _utcTicks;

    public ManualTimeProvider(DateTimeOffset start) => _utcTicks = start.UtcTicks;

    public static DateTimeOffset DefaultStart { get; } = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);

    public void Advance(TimeSpan by)
    {
        if (by < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(by), "time does not go backwards");
        }

        Interlocked.Add(ref _utcTicks, by.Ticks);
    }

    /// <summary>Moves the clock forward to <paramref name="when"/>.</summary>
    public void AdvanceTo(DateTimeOffset when) => Advance(when - GetUtcNow());

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new InertTimer();

    private sealed class InertTimer : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
