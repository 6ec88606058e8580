using System.Buffers;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Handshake;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Testing;

namespace OnAir.Ingest.Rtmp.Tests;

/// <summary>A message as the tests compare it: type, stream id, timestamp and a copy of the payload.</summary>
internal sealed record ParsedMessage(byte TypeId, uint StreamId, uint Timestamp, byte[] Payload);

/// <summary>
/// What ffmpeg sent when publishing test/vectors/h264-aac-320x240-2s.flv (captured with
/// test/vectors/capture-rtmp.py), parsed by <see cref="ChunkReader"/> the way a connection does.
/// </summary>
internal static class CapturedPublish
{
    public const int HandshakeLength = HandshakeResponder.C0C1Length + HandshakeResponder.C2Length;

    public static byte[] Bytes { get; } = File.ReadAllBytes(TestVectors.Path("ffmpeg-publish.rtmp"));

    public static ReadOnlySpan<byte> ChunkStream => Bytes.AsSpan(HandshakeLength);

    /// <summary>Parses every message, applying Set Chunk Size as a connection does.</summary>
    public static List<ParsedMessage> Parse(ReadOnlySequence<byte> input, RtmpOptions? options = null)
    {
        using var reader = new ChunkReader(options ?? new RtmpOptions());
        var messages = new List<ParsedMessage>();
        while (reader.TryReadMessage(ref input, out var message))
        {
            messages.Add(new ParsedMessage(message.TypeId, message.StreamId, message.Timestamp, message.Payload.ToArray()));
            ProtocolControlHandler.ApplyToReader(reader, message);
            message.Return();
        }

        if (!input.IsEmpty)
        {
            throw new InvalidOperationException($"{input.Length} bytes left unparsed");
        }

        return messages;
    }

    public static ReadOnlySequence<byte> Sequence(ReadOnlySpan<byte> bytes, int segmentSize) =>
        segmentSize == 0 ? new ReadOnlySequence<byte>(bytes.ToArray()) : SegmentedSequence.Split(bytes, segmentSize);
}
