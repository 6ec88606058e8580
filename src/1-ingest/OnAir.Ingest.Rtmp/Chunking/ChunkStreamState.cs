namespace OnAir.Ingest.Rtmp.Chunking;

/// <summary>Header state one chunk stream carries from chunk to chunk (headers of type 1-3 reuse it).</summary>
internal sealed class ChunkStreamState
{
    public uint Timestamp;
    public uint TimestampDelta;
    public int MessageLength;
    public byte TypeId;
    public uint StreamId;
    public bool HasExtendedTimestamp;
    public uint ExtendedTimestamp;

    /// <summary>Reassembly buffer of the message in progress (pooled), or null between messages.</summary>
    public byte[]? Buffer;
    public int Received;

    public bool InMessage => Buffer is not null;
}
