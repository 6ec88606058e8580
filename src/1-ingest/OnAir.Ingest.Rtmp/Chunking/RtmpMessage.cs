using System.Buffers;

namespace OnAir.Ingest.Rtmp.Chunking;

/// <summary>
/// A complete RTMP message reassembled from its chunks. The payload lives in a pooled array the
/// receiver owns: it calls <see cref="Return"/> once handled (or hands the array on).
/// </summary>
internal readonly struct RtmpMessage
{
    private readonly byte[] _buffer;

    public RtmpMessage(byte typeId, uint streamId, uint timestamp, byte[] buffer, int length)
    {
        TypeId = typeId;
        StreamId = streamId;
        Timestamp = timestamp;
        _buffer = buffer;
        Length = length;
    }

    public byte TypeId { get; }

    public uint StreamId { get; }

    /// <summary>Absolute timestamp in milliseconds (32-bit, wraps).</summary>
    public uint Timestamp { get; }

    public int Length { get; }

    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, Length);

    public ReadOnlySequence<byte> PayloadSequence => new(_buffer, 0, Length);

    public void Return()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
