using System.Buffers;
using OnAir.Ingest.Rtmp.Amf0;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Testing;
using Xunit;

namespace OnAir.Ingest.Rtmp.Tests.Chunking;

public class ChunkReaderTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Media_messages_of_a_real_ffmpeg_publish_equal_the_FLV_tags_it_sent(int segmentSize)
    {
        var messages = CapturedPublish.Parse(CapturedPublish.Sequence(CapturedPublish.ChunkStream, segmentSize));
        var media = messages.Where(m => m.TypeId is RtmpMessageType.Audio or RtmpMessageType.Video).ToList();
        var tags = FlvFile.ReadTags(TestVectors.Path("h264-aac-320x240-2s.flv")).Where(t => t.Type is 8 or 9).ToList();

        Assert.Equal(tags.Count, media.Count);
        for (var i = 0; i < tags.Count; i++)
        {
            Assert.Equal(tags[i].Type, media[i].TypeId);
            Assert.Equal(tags[i].TimestampMs, media[i].Timestamp);
            Assert.True(tags[i].Body.AsSpan().SequenceEqual(media[i].Payload), $"message {i} body differs from FLV tag {i}");
        }
    }

    [Fact]
    public void Commands_of_a_real_ffmpeg_publish_decode_in_order()
    {
        var messages = CapturedPublish.Parse(new ReadOnlySequence<byte>(CapturedPublish.ChunkStream.ToArray()));
        var commands = messages.Where(m => m.TypeId == RtmpMessageType.CommandAmf0).Select(m =>
        {
            var reader = new Amf0Reader(m.Payload, 16);
            var name = (string)reader.ReadValue()!;
            reader.ReadValue();
            var commandObject = reader.ReadValue();
            var argument = reader.HasMore ? reader.ReadValue() : null;
            return (name, commandObject, argument);
        }).ToList();

        Assert.Equal(["connect", "releaseStream", "FCPublish", "createStream", "publish"], commands.Select(c => c.name).Take(5));
        var connect = Assert.IsType<Dictionary<string, object?>>(commands[0].commandObject);
        Assert.Equal("live", connect["app"]);
        Assert.Equal("vector", commands[4].argument);
        Assert.Contains(messages, m => m.TypeId == RtmpMessageType.DataAmf0);
    }

    [Fact]
    public void Parsing_allocates_nothing_per_chunk_once_warm()
    {
        var input = new ReadOnlySequence<byte>(CapturedPublish.ChunkStream.ToArray());
        void ParseAll()
        {
            var buffer = input;
            using var reader = new ChunkReader(new RtmpOptions());
            while (reader.TryReadMessage(ref buffer, out var message))
            {
                ProtocolControlHandler.ApplyToReader(reader, message);
                message.Return();
            }
        }

        ParseAll();
        var before = GC.GetAllocatedBytesForCurrentThread();
        ParseAll();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The reader object and its per-chunk-stream states: a constant, not a per-chunk cost (~600 chunks here).
        Assert.True(allocated < 2048, $"parsing allocated {allocated} bytes");
    }

    [Fact]
    public void Messages_written_by_ChunkWriter_read_back_with_extended_timestamps_and_many_chunks()
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new ChunkWriter { ChunkSize = 128 };
        var large = Enumerable.Range(0, 1000).Select(i => (byte)i).ToArray();
        writer.Write(output, 4, RtmpMessageType.Video, 1, 0x01000000, large);
        writer.Write(output, 4, RtmpMessageType.Video, 1, 0x01000021, large.AsSpan(0, 10));
        writer.Write(output, 3, RtmpMessageType.CommandAmf0, 0, 5, []);

        foreach (var segmentSize in new[] { 0, 1, 3 })
        {
            var messages = CapturedPublish.Parse(CapturedPublish.Sequence(output.WrittenSpan, segmentSize), new RtmpOptions());
            Assert.Equal(3, messages.Count);
            Assert.Equal(0x01000000u, messages[0].Timestamp);
            Assert.Equal(large, messages[0].Payload);
            Assert.Equal(0x01000021u, messages[1].Timestamp);
            Assert.Empty(messages[2].Payload);
        }
    }

    [Fact]
    public void Header_types_1_2_3_reuse_the_previous_header_and_add_deltas()
    {
        // csid 4: type 0 (ts 100, len 2, type 9, stream 1), type 1 (delta 33, len 1, type 8), type 2 (delta 10), type 3 (delta again)
        byte[] bytes =
        [
            0x04, 0, 0, 100, 0, 0, 2, 9, 1, 0, 0, 0, 0xAA, 0xBB,
            0x44, 0, 0, 33, 0, 0, 1, 8, 0xCC,
            0x84, 0, 0, 10, 0xDD,
            0xC4, 0xEE,
        ];
        var messages = CapturedPublish.Parse(new ReadOnlySequence<byte>(bytes));

        Assert.Equal([100u, 133u, 143u, 153u], messages.Select(m => m.Timestamp));
        Assert.Equal([(byte)9, (byte)8, (byte)8, (byte)8], messages.Select(m => m.TypeId));
        Assert.All(messages, m => Assert.Equal(1u, m.StreamId));
        Assert.Equal(new byte[] { 0xEE }, messages[3].Payload);
    }

    [Fact]
    public void Two_and_three_byte_basic_headers_address_high_chunk_stream_ids()
    {
        byte[] bytes =
        [
            0x00, 10, 0, 0, 1, 0, 0, 1, 9, 0, 0, 0, 0, 0x01, // csid 74
            0x01, 0x10, 0x01, 0, 0, 2, 0, 0, 1, 8, 0, 0, 0, 0, 0x02, // csid 64 + 16 + 256 = 336
        ];
        var messages = CapturedPublish.Parse(CapturedPublish.Sequence(bytes, 1));
        Assert.Equal([1u, 2u], messages.Select(m => m.Timestamp));
    }

    [Fact]
    public void Abort_drops_the_partial_message_of_its_chunk_stream()
    {
        using var reader = new ChunkReader(new RtmpOptions());
        byte[] partial = [0x04, 0, 0, 0, 0, 0x01, 0x00, 9, 1, 0, 0, 0, .. new byte[128]]; // 256-byte message, first chunk
        var input = new ReadOnlySequence<byte>(partial);
        Assert.False(reader.TryReadMessage(ref input, out _));

        reader.Abort(4);
        byte[] fresh = [0x04, 0, 0, 5, 0, 0, 1, 8, 1, 0, 0, 0, 0x7F];
        input = new ReadOnlySequence<byte>(fresh);
        Assert.True(reader.TryReadMessage(ref input, out var message));
        Assert.Equal(5u, message.Timestamp);
        Assert.Equal(new byte[] { 0x7F }, message.Payload.ToArray());
        message.Return();
    }

    [Theory]
    [InlineData(0u, "out of range")]
    [InlineData(0x80000000u, "out of range")]
    [InlineData(0x7FFFFFFFu, "rtmp.maxChunkSize")]
    public void A_zero_negative_or_oversized_chunk_size_is_refused(uint size, string reason)
    {
        using var reader = new ChunkReader(new RtmpOptions());
        var error = Assert.Throws<RtmpProtocolException>(() => reader.SetChunkSize(size));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void A_message_longer_than_the_limit_is_refused_before_any_buffering()
    {
        byte[] header = [0x04, 0, 0, 0, 0x10, 0, 0, 9, 1, 0, 0, 0]; // 1 MiB message
        var error = Assert.Throws<RtmpProtocolException>(() => Read(header, new RtmpOptions { MaxMessageSize = 65536 }));
        Assert.Contains("rtmp.maxMessageSize", error.Message);
    }

    [Fact]
    public void A_chunk_stream_that_starts_without_a_type_0_header_is_refused()
    {
        var error = Assert.Throws<RtmpProtocolException>(() => Read([0x45, 0, 0, 0, 0, 0, 1, 8, 0]));
        Assert.Contains("type 1 header", error.Message);
    }

    [Fact]
    public void More_chunk_streams_than_the_limit_are_refused()
    {
        var bytes = new List<byte>();
        for (var csid = 3; csid < 3 + 5; csid++)
        {
            bytes.AddRange([(byte)csid, 0, 0, 0, 0, 0, 1, 8, 1, 0, 0, 0, 0]);
        }

        var error = Assert.Throws<RtmpProtocolException>(() => Read([.. bytes], new RtmpOptions { MaxChunkStreams = 4 }));
        Assert.Contains("rtmp.maxChunkStreams", error.Message);
    }

    [Fact]
    public void A_truncated_chunk_waits_for_more_input_without_consuming_a_partial_header()
    {
        using var reader = new ChunkReader(new RtmpOptions());
        byte[] bytes = [0x04, 0, 0, 100, 0, 0, 2, 9, 1, 0, 0, 0, 0xAA, 0xBB];
        for (var length = 1; length < 12; length++)
        {
            var input = new ReadOnlySequence<byte>(bytes, 0, length);
            Assert.False(reader.TryReadMessage(ref input, out _));
            Assert.Equal(length, (int)input.Length);
        }
    }

    [Fact]
    public void Random_mutations_of_a_real_publish_only_ever_raise_protocol_errors()
    {
        var random = new Random(20261128);
        var original = CapturedPublish.ChunkStream.ToArray();
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var bytes = original.AsSpan(0, random.Next(1, 6000)).ToArray();
            for (var flips = random.Next(1, 8); flips > 0; flips--)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            try
            {
                CapturedPublish.Parse(new ReadOnlySequence<byte>(bytes), new RtmpOptions { MaxMessageSize = 1 << 20 });
            }
            catch (RtmpProtocolException)
            {
            }
            catch (InvalidOperationException ex) when (ex.Message.Contains("unparsed", StringComparison.Ordinal))
            {
                // A truncated input simply waits for more bytes.
            }
        }
    }

    private static void Read(byte[] bytes, RtmpOptions? options = null)
    {
        using var reader = new ChunkReader(options ?? new RtmpOptions());
        var input = new ReadOnlySequence<byte>(bytes);
        while (reader.TryReadMessage(ref input, out var message))
        {
            message.Return();
        }
    }
}
