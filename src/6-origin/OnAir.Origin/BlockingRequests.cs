using Microsoft.Extensions.Options;

namespace OnAir.Origin;

/// <summary>Counts the LL-HLS requests held open (blocking playlist reloads, hinted parts) against <see cref="OriginOptions.MaxBlockingRequests"/>, and is the clock their timeouts run on.</summary>
public sealed class BlockingRequests(IOptions<OriginOptions> options, TimeProvider time)
{
    public TimeProvider Time => time;

    private readonly int _max = options.Value.MaxBlockingRequests;
    private int _held;

    public int Held => Volatile.Read(ref _held);

    /// <summary>Takes a slot; false when every slot is taken (the request is answered 503 at once).</summary>
    public bool TryEnter()
    {
        if (Interlocked.Increment(ref _held) <= _max)
        {
            return true;
        }

        Interlocked.Decrement(ref _held);
        return false;
    }

    public void Exit() => Interlocked.Decrement(ref _held);
}
