using System.Buffers.Binary;
using OnAir.Ingest.Rtmp.Chunking;

namespace OnAir.Ingest.Rtmp.Messages;

/// <summary>Protocol control (RTMP spec section 5.4) and user control (section 6.2) messages.</summary>
internal static class ProtocolControlHandler
{
    private const ushort UserControlPingRequest = 6;

    /// <summary>
    /// Applies Set Chunk Size and Abort, the messages that change how the following chunks are read;
    /// false for any other message.
    /// </summary>
    public static bool ApplyToReader(ChunkReader reader, in RtmpMessage message)
    {
        switch (message.TypeId)
        {
            case RtmpMessageType.SetChunkSize:
                reader.SetChunkSize(ReadUInt32(message.Payload, "Set Chunk Size"));
                return true;
            case RtmpMessageType.Abort:
                reader.Abort(ReadUInt32(message.Payload, "Abort"));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Returns the peer's acknowledgement window (0 disables acknowledgements).</summary>
    public static uint WindowAckSize(ReadOnlySpan<byte> payload) => ReadUInt32(payload, "Window Acknowledgement Size");

    public static void UserControl(RtmpSessionContext session, ReadOnlySpan<byte> payload)
    {
        if (payload.Length < 2)
        {
            throw new RtmpProtocolException("User Control message is shorter than 2 bytes.");
        }

        if (BinaryPrimitives.ReadUInt16BigEndian(payload) == UserControlPingRequest && payload.Length >= 6)
        {
            session.Replies.PingResponse(BinaryPrimitives.ReadUInt32BigEndian(payload[2..]));
        }
    }

    private static uint ReadUInt32(ReadOnlySpan<byte> payload, string what) =>
        payload.Length >= 4 ? BinaryPrimitives.ReadUInt32BigEndian(payload) : throw new RtmpProtocolException($"{what} message is shorter than 4 bytes.");
}
