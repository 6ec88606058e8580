using System.Buffers;
using System.Buffers.Binary;
using OnAir.Ingest.Rtmp.Amf0;
using OnAir.Ingest.Rtmp.Chunking;

namespace OnAir.Ingest.Rtmp.Messages;

/// <summary>The messages OnAir sends to a publisher, written as chunks on the connection's output.</summary>
internal sealed class RtmpReplies
{
    private const int ProtocolControlChunkStream = 2;
    private const int CommandChunkStream = 3;
    private const int StreamStatusChunkStream = 5;
    private const ushort UserControlStreamBegin = 0;
    private const ushort UserControlPingResponse = 7;

    private readonly ChunkWriter _writer = new();
    private readonly ArrayBufferWriter<byte> _scratch = new(256);
    private readonly IBufferWriter<byte> _output;

    public RtmpReplies(IBufferWriter<byte> output) => _output = output;

    public void SetChunkSize(int size)
    {
        WriteControl(RtmpMessageType.SetChunkSize, (uint)size);
        _writer.ChunkSize = size;
    }

    public void WindowAckSize(int size) => WriteControl(RtmpMessageType.WindowAckSize, (uint)size);

    public void Acknowledgement(uint sequenceNumber) => WriteControl(RtmpMessageType.Acknowledgement, sequenceNumber);

    public void SetPeerBandwidth(int size)
    {
        Span<byte> payload = stackalloc byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(payload, (uint)size);
        payload[4] = 2; // dynamic
        _writer.Write(_output, ProtocolControlChunkStream, RtmpMessageType.SetPeerBandwidth, 0, 0, payload);
    }

    public void StreamBegin(uint streamId) => WriteUserControl(UserControlStreamBegin, streamId);

    public void PingResponse(uint timestamp) => WriteUserControl(UserControlPingResponse, timestamp);

    /// <summary>_result / _error for a command transaction: name, transaction id, then the values.</summary>
    public void CommandResult(string name, double transactionId, object? commandObject, object? info) =>
        WriteCommand(CommandChunkStream, 0, name, transactionId, commandObject, info);

    /// <summary>onStatus on a message stream (NetStream.Publish.Start, .BadName, ...).</summary>
    public void OnStatus(uint streamId, string level, string code, string description) =>
        WriteCommand(StreamStatusChunkStream, streamId, "onStatus", 0, null, new Dictionary<string, object?>
        {
            ["level"] = level,
            ["code"] = code,
            ["description"] = description,
        });

    /// <summary>A command without a transaction (onFCPublish, onFCUnpublish).</summary>
    public void Notify(string name, string code, string description) =>
        WriteCommand(CommandChunkStream, 0, name, 0, null, new Dictionary<string, object?>
        {
            ["code"] = code,
            ["description"] = description,
        });

    private void WriteCommand(int chunkStream, uint streamId, string name, double transactionId, object? commandObject, object? info)
    {
        _scratch.ResetWrittenCount();
        Amf0Writer.WriteString(_scratch, name);
        Amf0Writer.WriteNumber(_scratch, transactionId);
        Amf0Writer.WriteValue(_scratch, commandObject);
        Amf0Writer.WriteValue(_scratch, info);
        _writer.Write(_output, chunkStream, RtmpMessageType.CommandAmf0, streamId, 0, _scratch.WrittenSpan);
    }

    private void WriteControl(byte typeId, uint value)
    {
        Span<byte> payload = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(payload, value);
        _writer.Write(_output, ProtocolControlChunkStream, typeId, 0, 0, payload);
    }

    private void WriteUserControl(ushort eventType, uint value)
    {
        Span<byte> payload = stackalloc byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(payload, eventType);
        BinaryPrimitives.WriteUInt32BigEndian(payload[2..], value);
        _writer.Write(_output, ProtocolControlChunkStream, RtmpMessageType.UserControl, 0, 0, payload);
    }
}
