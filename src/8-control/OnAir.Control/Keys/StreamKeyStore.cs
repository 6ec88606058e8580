using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OnAir.Streams;

namespace OnAir.Control.Keys;

/// <summary>
/// Stream keys in an embedded SQLite database (DATA/onair.db, created on first start), besides
/// onair.json's <c>streams.streamKeys</c>. Keys are random 32-byte secrets stored as their SHA-256
/// and never logged; a publish compares the presented key's hash with every active key in
/// constant time. The active keys are held in memory (an immutable array swapped on change), so a
/// publish never waits on the disk. With no key anywhere, any key publishes under its own name;
/// once a key has been made, only keys publish, even after every key was revoked (a revoked key
/// must not publish again under its own name).
/// </summary>
public sealed class StreamKeyStore : IStreamKeyResolver
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS stream_keys (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            secret_sha256 BLOB NOT NULL,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL
        );
        """;

    private readonly string _connectionString;
    private readonly StreamsOptions _options;
    private readonly ConfiguredStreamKeys _configured;
    private readonly TimeProvider _time;
    private readonly ILogger<StreamKeyStore> _logger;
    private readonly Lock _writeGate = new(); // one writer at a time; readers use the snapshot
    private StreamKey[] _active = [];
    private volatile bool _managed;

    public StreamKeyStore(DataDirectory dataDirectory, IOptions<StreamsOptions> options, TimeProvider time, ILogger<StreamKeyStore> logger)
    {
        _options = options.Value;
        _configured = new ConfiguredStreamKeys(_options);
        _time = time;
        _logger = logger;
        Directory.CreateDirectory(dataDirectory.Path);
        DatabasePath = Path.Combine(dataDirectory.Path, "onair.db");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString();
        using var connection = Open();
        Execute(connection, Schema);
        Volatile.Write(ref _active, [.. ReadActive(connection)]);
        using var count = connection.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM stream_keys";
        _managed = Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    public string DatabasePath { get; }

    public IReadOnlyList<StreamKey> Active => Volatile.Read(ref _active);

    public string? NameFor(string streamKey)
    {
        var active = Volatile.Read(ref _active);
        if (!_managed)
        {
            return _configured.NameFor(streamKey);
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(streamKey));
        string? name = null;
        foreach (var key in active)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, key.SecretHash))
            {
                name = key.Name;
            }
        }

        return name ?? (_options.StreamKeys.Count > 0 ? StreamKeyMatch.Find(streamKey, _options.StreamKeys) : null);
    }

    /// <summary>A new key for <paramref name="name"/>; its secret is in the result and nowhere else.</summary>
    public CreatedStreamKey Create(string name)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = new StreamKey("key_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), name, SHA256.HashData(Encoding.UTF8.GetBytes(secret)), _time.GetUtcNow());
        lock (_writeGate)
        {
            using var connection = Open();
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO stream_keys (id, name, secret_sha256, created_at) VALUES ($id, $name, $hash, $created)";
            insert.Parameters.AddWithValue("$id", key.Id);
            insert.Parameters.AddWithValue("$name", key.Name);
            insert.Parameters.AddWithValue("$hash", key.SecretHash);
            insert.Parameters.AddWithValue("$created", key.CreatedAt.ToString("O"));
            insert.ExecuteNonQuery();
            Volatile.Write(ref _active, [.. _active, key]);
            _managed = true;
        }

        ControlLog.KeyCreated(_logger, key.Id, name);
        return new CreatedStreamKey(key.Id, name, secret, key.CreatedAt);
    }

    /// <summary>Revokes a key: refused from the next publish on (a stream it publishes now goes on). False when no active key has that id.</summary>
    public bool Revoke(string id)
    {
        lock (_writeGate)
        {
            using var connection = Open();
            using var update = connection.CreateCommand();
            update.CommandText = "UPDATE stream_keys SET revoked_at = $now WHERE id = $id AND revoked_at IS NULL";
            update.Parameters.AddWithValue("$id", id);
            update.Parameters.AddWithValue("$now", _time.GetUtcNow().ToString("O"));
            if (update.ExecuteNonQuery() == 0)
            {
                return false;
            }

            Volatile.Write(ref _active, Array.FindAll(_active, k => k.Id != id));
        }

        ControlLog.KeyRevoked(_logger, id);
        return true;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<StreamKey> ReadActive(SqliteConnection connection)
    {
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT id, name, secret_sha256, created_at FROM stream_keys WHERE revoked_at IS NULL ORDER BY created_at";
        using var reader = select.ExecuteReader();
        var keys = new List<StreamKey>();
        while (reader.Read())
        {
            keys.Add(new StreamKey(reader.GetString(0), reader.GetString(1), (byte[])reader[2], DateTimeOffset.Parse(reader.GetString(3), System.Globalization.CultureInfo.InvariantCulture)));
        }

        return keys;
    }
}
