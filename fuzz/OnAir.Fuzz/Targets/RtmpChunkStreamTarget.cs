using System.Buffers;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Messages;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// The chunk stream after the handshake, reassembled into messages as a connection does, with the
/// protocol control messages that change the reader (Set Chunk Size, Abort) applied; the bytes arrive
/// in reads cut where the input says.
/// </summary>
internal sealed class RtmpChunkStreamTarget : IFuzzTarget
{
    private static readonly RtmpOptions s_options = new() { MaxMessageSize = 1024 * 1024 };

    public static string Name => "rtmp-chunks";

    public static IEnumerable<byte[]> Seeds()
    {
        var capture = Vectors.Read("ffmpeg-publish.rtmp");
        var chunks = capture[(1 + (2 * 1536))..];
        return [chunks[..Math.Min(chunks.Length, 16 * 1024)], chunks[..Math.Min(chunks.Length, 600)]];
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        using var reader = new ChunkReader(s_options);
        var buffer = Segments.Split(input);
        try
        {
            while (reader.TryReadMessage(ref buffer, out var message))
            {
                try
                {
                    ProtocolControlHandler.ApplyToReader(reader, message);
                }
                finally
                {
                    message.Return();
                }
            }
        }
        catch (RtmpProtocolException)
        {
            // closes the connection with its reason
        }
    }
}
