using System.Buffers;
using BenchmarkDotNet.Attributes;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Handshake;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Testing;

namespace OnAir.Benchmarks;

/// <summary>
/// Parses the captured ffmpeg publish (test/vectors/ffmpeg-publish.rtmp, after its 3073 handshake
/// bytes) with <see cref="ChunkReader"/>, the way a connection does: one reader per connection,
/// Set Chunk Size applied when it arrives, every message's pooled buffer returned once handled.
/// <para>
/// <see cref="Copies"/> feeds the same chunk stream that many times to one reader (chunk size reset
/// to the default 128 before each copy, as at the start of the capture). The per-connection cost
/// (reader, its dictionary, one state per chunk stream id) is paid once per operation, so
/// <c>(Allocated[Copies=8] - Allocated[Copies=1]) / (7 * ChunksPerCopy)</c> is what parsing one more
/// chunk allocates, and <c>Mean / (Copies * ChunksPerCopy)</c> the time per chunk.
/// </para>
/// </summary>
[MemoryDiagnoser]
public class ChunkParserBenchmarks
{
    private readonly RtmpOptions _options = new();
    private ReadOnlySequence<byte> _chunkStream;

    [Params(1, 8)]
    public int Copies { get; set; }

    /// <summary>Chunks in one copy of the capture (counted in setup, printed for the docs).</summary>
    public static int ChunksPerCopy { get; private set; }

    /// <summary>Messages in one copy of the capture.</summary>
    public static int MessagesPerCopy { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        var bytes = File.ReadAllBytes(TestVectors.Path("ffmpeg-publish.rtmp"));
        var handshake = HandshakeResponder.C0C1Length + HandshakeResponder.C2Length;
        _chunkStream = new ReadOnlySequence<byte>(bytes.AsMemory(handshake));
        (MessagesPerCopy, ChunksPerCopy) = CountMessagesAndChunks(_chunkStream, _options);

        // Sanity: a second copy through the same reader must parse exactly like the first.
        using var reader = new ChunkReader(_options);
        var first = ParseOnce(reader, _chunkStream, out var firstBytes);
        var second = ParseOnce(reader, _chunkStream, out var secondBytes);
        if (first != MessagesPerCopy || second != first || secondBytes != firstBytes)
        {
            throw new InvalidOperationException($"copies parse differently: {first}/{second} messages, {firstBytes}/{secondBytes} bytes");
        }

        Console.WriteLine($"// ChunkParser: {bytes.Length - handshake} bytes, {MessagesPerCopy} messages, {ChunksPerCopy} chunks per copy");
    }

    [Benchmark]
    public long ParseCapturedPublish()
    {
        using var reader = new ChunkReader(_options);
        long payloadBytes = 0;
        for (var copy = 0; copy < Copies; copy++)
        {
            ParseOnce(reader, _chunkStream, out var bytes);
            payloadBytes += bytes;
        }

        return payloadBytes;
    }

    private static int ParseOnce(ChunkReader reader, ReadOnlySequence<byte> input, out long payloadBytes)
    {
        reader.SetChunkSize(ChunkReader.DefaultChunkSize);
        var messages = 0;
        payloadBytes = 0;
        while (reader.TryReadMessage(ref input, out var message))
        {
            messages++;
            payloadBytes += message.Length;
            ProtocolControlHandler.ApplyToReader(reader, message);
            message.Return();
        }

        if (!input.IsEmpty)
        {
            throw new InvalidOperationException($"{input.Length} bytes left unparsed");
        }

        return messages;
    }

    /// <summary>
    /// Counts chunks independently of <see cref="ChunkReader"/>: a message of L bytes sent with chunk
    /// size C takes max(1, ceil(L / C)) chunks whatever the interleaving; C changes after each Set Chunk Size.
    /// </summary>
    private static (int Messages, int Chunks) CountMessagesAndChunks(ReadOnlySequence<byte> input, RtmpOptions options)
    {
        using var reader = new ChunkReader(options);
        int messages = 0, chunks = 0;
        var chunkSize = ChunkReader.DefaultChunkSize;
        while (reader.TryReadMessage(ref input, out var message))
        {
            messages++;
            chunks += Math.Max(1, (message.Length + chunkSize - 1) / chunkSize);
            if (ProtocolControlHandler.ApplyToReader(reader, message))
            {
                chunkSize = reader.ChunkSize;
            }

            message.Return();
        }

        return (messages, chunks);
    }
}
