using System.Collections.Concurrent;

namespace OnAir.Packaging.Hls;

/// <summary>The HLS output currently served under each stream name (live, or ended and within retention).</summary>
public sealed class HlsOutputRegistry
{
    private readonly ConcurrentDictionary<string, StreamOutput> _outputs = new(StringComparer.Ordinal);

    public bool TryGet(string name, out StreamOutput? output) => _outputs.TryGetValue(name, out output);

    public ICollection<StreamOutput> All => _outputs.Values;

    /// <summary>A new stream instance takes over its name; the previous one (if any) is returned for cleanup.</summary>
    internal StreamOutput? Set(StreamOutput output)
    {
        StreamOutput? previous = null;
        _outputs.AddOrUpdate(output.Name, output, (_, old) =>
        {
            previous = old;
            return output;
        });
        return previous;
    }

    /// <summary>Removes the output only if it is still the one served under its name.</summary>
    internal void Remove(StreamOutput output) =>
        _outputs.TryRemove(new KeyValuePair<string, StreamOutput>(output.Name, output));
}
