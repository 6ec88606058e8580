namespace OnAir.Streams;

/// <summary>
/// Which public name a stream key publishes to. Declared here, where publishes are decided; the
/// control plane implements it over onair.json's keys and the key database.
/// </summary>
public interface IStreamKeyResolver
{
    /// <summary>The name <paramref name="streamKey"/> publishes to, or null when it is refused (unknown or revoked).</summary>
    string? NameFor(string streamKey);
}

/// <summary>onair.json's <c>streams.streamKeys</c> alone: with none configured any key publishes under its own name.</summary>
public sealed class ConfiguredStreamKeys(StreamsOptions options) : IStreamKeyResolver
{
    public string? NameFor(string streamKey) =>
        options.StreamKeys.Count == 0 ? streamKey : StreamKeyMatch.Find(streamKey, options.StreamKeys);
}

/// <summary>
/// Key comparisons that take the same time wherever the keys differ: their SHA-256 digests are
/// compared (so neither a mismatching byte nor a key's length shows in the time taken), every key
/// is compared (no early exit on a match).
/// </summary>
public static class StreamKeyMatch
{
    public static string? Find(string presented, IReadOnlyDictionary<string, string> keys)
    {
        var digest = Digest(presented);
        string? name = null;
        foreach (var (key, value) in keys)
        {
            if (System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(digest, Digest(key)))
            {
                name = value;
            }
        }

        return name;
    }

    /// <summary>The SHA-256 of a secret's UTF-8 bytes: what constant-time comparisons compare.</summary>
    public static byte[] Digest(string secret) => System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));
}
