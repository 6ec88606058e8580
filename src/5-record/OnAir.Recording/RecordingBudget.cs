namespace OnAir.Recording;

/// <summary>
/// The bytes recordings use in the data directory, against <see cref="RecordingOptions.MaxTotalMegabytes"/>.
/// A recorder reserves each fragment before writing it; when the limit is reached, retention is
/// asked to delete the oldest finished recordings, and if none is left the reservation fails and
/// that recording stops (the live stream goes on).
/// </summary>
internal sealed class RecordingBudget
{
    private readonly long? _limit;
    private long _used;

    public RecordingBudget(long? limit) => _limit = limit;

    public long? Limit => _limit;

    public long Used => Interlocked.Read(ref _used);

    /// <summary>Deletes finished recordings, oldest first, until this many more bytes fit; set by retention.</summary>
    public Func<long, bool>? MakeRoom { get; set; }

    public bool TryReserve(long bytes)
    {
        if (_limit is not { } limit || Interlocked.Read(ref _used) + bytes <= limit || (MakeRoom?.Invoke(bytes) ?? false))
        {
            Interlocked.Add(ref _used, bytes);
            return true;
        }

        return false;
    }

    /// <summary>Bytes found on disk at start, or freed by a deletion (negative).</summary>
    public void Adjust(long bytes) => Interlocked.Add(ref _used, bytes);
}
