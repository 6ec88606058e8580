using System.Buffers;
using System.Buffers.Binary;

namespace OnAir.Ingest.Rtmp.Chunking;

/// <summary>Splits outgoing messages into chunks: a type 0 header, then type 3 continuations.</summary>
internal sealed class ChunkWriter
{
    public int ChunkSize { get; set; } = ChunkReader.DefaultChunkSize;

    public void Write(IBufferWriter<byte> output, int chunkStreamId, byte typeId, uint streamId, uint timestamp, ReadOnlySpan<byte> payload)
    {
        var extended = timestamp >= 0xFFFFFF;
        var header = output.GetSpan(1 + 11 + 4);
        header[0] = (byte)chunkStreamId; // ids 2..63 fit the one-byte basic header
        WriteUInt24(header[1..], extended ? 0xFFFFFF : timestamp);
        WriteUInt24(header[4..], (uint)payload.Length);
        header[7] = typeId;
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], streamId);
        var headerLength = 12;
        if (extended)
        {
            BinaryPrimitives.WriteUInt32BigEndian(header[12..], timestamp);
            headerLength += 4;
        }

        output.Advance(headerLength);
        var offset = 0;
        while (true)
        {
            var count = Math.Min(ChunkSize, payload.Length - offset);
            output.Write(payload.Slice(offset, count));
            offset += count;
            if (offset >= payload.Length)
            {
                return;
            }

            var continuation = output.GetSpan(5);
            continuation[0] = (byte)(0xC0 | chunkStreamId);
            if (extended)
            {
                BinaryPrimitives.WriteUInt32BigEndian(continuation[1..], timestamp);
            }

            output.Advance(extended ? 5 : 1);
        }
    }

    private static void WriteUInt24(Span<byte> span, uint value)
    {
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }
}
