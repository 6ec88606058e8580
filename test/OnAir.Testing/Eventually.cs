namespace OnAir.Testing;

/// <summary>
/// Waits for a condition that another loop makes true (an actor handling an event, a packager
/// publishing): checked every few milliseconds, failing with <paramref name="what"/> after the timeout.
/// For state that offers no event of its own to await.
/// </summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    public static Task TrueAsync(Func<bool> condition, string what = "the condition", TimeSpan? timeout = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary>The same for a condition that has to ask over the network (an HTTP API).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what = "the condition", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not become true within {(timeout ?? DefaultTimeout).TotalSeconds} s");
            }

            await Task.Delay(5);
        }
    }
}
