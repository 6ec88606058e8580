using System.Buffers;
using System.Buffers.Binary;

namespace OnAir.Ingest.Rtmp.Chunking;

/// <summary>
/// Reassembles RTMP messages from the chunk stream (RTMP spec section 5.3). Synchronous and
/// incremental: it consumes whatever part of a chunk has arrived (payload bytes are copied
/// straight into the message's pooled buffer), so neither a large chunk size nor a slow peer
/// makes it buffer more than one message. No allocation per chunk: chunk stream states are
/// created once per chunk stream id and message buffers come from <see cref="ArrayPool{T}"/>.
/// </summary>
internal sealed class ChunkReader : IDisposable
{
    public const int DefaultChunkSize = 128;
    private const int MaxHeaderLength = 3 + 11 + 4;
    private const uint ExtendedTimestampMarker = 0xFFFFFF;

    private readonly RtmpOptions _options;
    private readonly Dictionary<int, ChunkStreamState> _streams = [];
    private ChunkStreamState? _current;
    private int _remainingInChunk;

    public ChunkReader(RtmpOptions options) => _options = options;

    public int ChunkSize { get; private set; } = DefaultChunkSize;

    /// <summary>
    /// Consumes chunks from <paramref name="buffer"/> until a message completes (true) or the
    /// input runs out (false). <paramref name="buffer"/> is advanced past what was consumed.
    /// </summary>
    /// <exception cref="RtmpProtocolException">A header breaks the protocol or a limit.</exception>
    public bool TryReadMessage(ref ReadOnlySequence<byte> buffer, out RtmpMessage message)
    {
        while (true)
        {
            if (_remainingInChunk == 0 && !TryReadChunkHeader(ref buffer))
            {
                message = default;
                return false;
            }

            var state = _current!;
            var take = (int)Math.Min(_remainingInChunk, buffer.Length);
            if (take > 0)
            {
                buffer.Slice(0, take).CopyTo(state.Buffer.AsSpan(state.Received));
                buffer = buffer.Slice(take);
                state.Received += take;
                _remainingInChunk -= take;
            }

            if (_remainingInChunk > 0)
            {
                message = default;
                return false;
            }

            if (state.Received == state.MessageLength)
            {
                message = new RtmpMessage(state.TypeId, state.StreamId, state.Timestamp, state.Buffer!, state.MessageLength);
                state.Buffer = null;
                state.Received = 0;
                return true;
            }
        }
    }

    /// <exception cref="RtmpProtocolException">The size is zero, negative (top bit set) or above the limit.</exception>
    public void SetChunkSize(uint size)
    {
        if (size == 0 || size > int.MaxValue)
        {
            throw new RtmpProtocolException($"Set Chunk Size {size} is out of range (1 to 2^31-1).");
        }

        if (size > _options.MaxChunkSize)
        {
            throw new RtmpProtocolException($"Set Chunk Size {size} exceeds the limit rtmp.maxChunkSize = {_options.MaxChunkSize}.");
        }

        ChunkSize = (int)size;
    }

    /// <summary>Abort Message: drops the partial message of a chunk stream.</summary>
    public void Abort(uint chunkStreamId)
    {
        if (_streams.TryGetValue((int)Math.Min(chunkStreamId, int.MaxValue), out var state) && state.InMessage)
        {
            ReturnBuffer(state);
            if (_current == state)
            {
                _remainingInChunk = 0;
            }
        }
    }

    public void Dispose()
    {
        foreach (var state in _streams.Values)
        {
            ReturnBuffer(state);
        }

        _streams.Clear();
    }

    private bool TryReadChunkHeader(ref ReadOnlySequence<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[MaxHeaderLength];
        var available = (int)Math.Min(buffer.Length, MaxHeaderLength);
        buffer.Slice(0, available).CopyTo(header);
        header = header[..available];

        var format = header[0] >> 6;
        var chunkStreamId = header[0] & 0x3F;
        var position = 1;
        if (chunkStreamId == 0)
        {
            if (available < 2)
            {
                return false;
            }

            chunkStreamId = 64 + header[1];
            position = 2;
        }
        else if (chunkStreamId == 1)
        {
            if (available < 3)
            {
                return false;
            }

            chunkStreamId = 64 + header[1] + (header[2] << 8);
            position = 3;
        }

        var messageHeaderLength = format switch { 0 => 11, 1 => 7, 2 => 3, _ => 0 };
        if (available < position + messageHeaderLength)
        {
            return false;
        }

        var state = GetState(chunkStreamId, format);
        var startsMessage = !state.InMessage;
        if (!startsMessage && format != 3)
        {
            throw new RtmpProtocolException($"chunk stream {chunkStreamId} got a type {format} header in the middle of a message.");
        }

        var fields = header[position..];
        var timestampField = format < 3 ? ReadUInt24(fields) : 0;
        var hasExtended = format < 3 ? timestampField == ExtendedTimestampMarker : state.HasExtendedTimestamp;
        var length = position + messageHeaderLength;
        uint extended = 0;
        if (hasExtended)
        {
            if (available < length + 4)
            {
                return false;
            }

            extended = BinaryPrimitives.ReadUInt32BigEndian(header[length..]);

            // Continuation chunks may or may not repeat the extended timestamp (ffmpeg and
            // librtmp do, others don't): consume it only when it repeats the one in force.
            if (format < 3 || startsMessage || extended == state.ExtendedTimestamp)
            {
                length += 4;
            }
        }

        if (format <= 1)
        {
            var messageLength = (int)ReadUInt24(fields[3..]);
            if (messageLength > _options.MaxMessageSize)
            {
                throw new RtmpProtocolException($"message of {messageLength} bytes on chunk stream {chunkStreamId} exceeds the limit rtmp.maxMessageSize = {_options.MaxMessageSize}.");
            }

            state.MessageLength = messageLength;
            state.TypeId = fields[6];
            if (format == 0)
            {
                state.StreamId = BinaryPrimitives.ReadUInt32LittleEndian(fields[7..]);
            }
        }

        var timestampValue = hasExtended ? extended : timestampField;
        if (format == 0)
        {
            state.Timestamp = timestampValue;
            state.TimestampDelta = timestampValue;
        }
        else if (format < 3)
        {
            state.Timestamp += timestampValue;
            state.TimestampDelta = timestampValue;
        }
        else if (startsMessage)
        {
            state.Timestamp += state.TimestampDelta;
        }

        state.HasExtendedTimestamp = hasExtended;
        if (hasExtended)
        {
            state.ExtendedTimestamp = extended;
        }

        buffer = buffer.Slice(length);
        if (startsMessage)
        {
            state.Buffer = state.MessageLength == 0 ? [] : ArrayPool<byte>.Shared.Rent(state.MessageLength);
            state.Received = 0;
        }

        _current = state;
        _remainingInChunk = Math.Min(ChunkSize, state.MessageLength - state.Received);
        return true;
    }

    private ChunkStreamState GetState(int chunkStreamId, int format)
    {
        if (_streams.TryGetValue(chunkStreamId, out var state))
        {
            return state;
        }

        if (format != 0)
        {
            throw new RtmpProtocolException($"chunk stream {chunkStreamId} starts with a type {format} header, which needs a previous type 0 header.");
        }

        if (_streams.Count >= _options.MaxChunkStreams)
        {
            throw new RtmpProtocolException($"more than rtmp.maxChunkStreams = {_options.MaxChunkStreams} chunk streams in use.");
        }

        state = new ChunkStreamState();
        _streams.Add(chunkStreamId, state);
        return state;
    }

    private static void ReturnBuffer(ChunkStreamState state)
    {
        if (state.Buffer is { Length: > 0 } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        state.Buffer = null;
        state.Received = 0;
    }

    private static uint ReadUInt24(ReadOnlySpan<byte> span) => (uint)((span[0] << 16) | (span[1] << 8) | span[2]);
}
