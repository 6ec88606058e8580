namespace OnAir.Control.Keys;

/// <summary>A stream key as the database keeps it: never the secret, only its SHA-256.</summary>
public sealed record StreamKey(string Id, string Name, byte[] SecretHash, DateTimeOffset CreatedAt);

/// <summary>A key just created: the only time its secret is shown.</summary>
public sealed record CreatedStreamKey(string Id, string Name, string Key, DateTimeOffset CreatedAt);
