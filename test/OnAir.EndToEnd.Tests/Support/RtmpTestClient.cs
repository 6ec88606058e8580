using System.Buffers;
using System.Net.Sockets;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Amf0;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Messages;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>
/// A raw RTMP client over a real socket: speaks the protocol correctly (with OnAir's own chunk
/// writer and AMF0 encoder) or sends exactly the malformed bytes a test wants.
/// </summary>
public sealed class RtmpTestClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly ChunkWriter _writer = new();
    private readonly ChunkReader _reader = new(new RtmpOptions());
    private byte[] _pending = [];

    private RtmpTestClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RtmpTestClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RtmpTestClient(tcp);
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    /// <summary>The plain handshake: C0+C1, read S0+S1+S2, send C2.</summary>
    public async Task HandshakeAsync()
    {
        var c0c1 = new byte[1537];
        c0c1[0] = 3;
        Random.Shared.NextBytes(c0c1.AsSpan(9));
        await SendAsync(c0c1);
        var s0s1s2 = new byte[3073];
        await _stream.ReadExactlyAsync(s0s1s2);
        await SendAsync(s0s1s2[1..1537]);
    }

    /// <summary>An AMF0 command message on chunk stream 3.</summary>
    public async Task SendCommandAsync(uint streamId, string name, double transactionId, params object?[] values)
    {
        var payload = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(payload, name);
        Amf0Writer.WriteNumber(payload, transactionId);
        foreach (var value in values)
        {
            Amf0Writer.WriteValue(payload, value);
        }

        await SendMessageAsync(3, RtmpMessageType.CommandAmf0, streamId, payload.WrittenSpan.ToArray());
    }

    public async Task SendMessageAsync(int chunkStreamId, byte typeId, uint streamId, byte[] payload)
    {
        var output = new ArrayBufferWriter<byte>();
        _writer.Write(output, chunkStreamId, typeId, streamId, 0, payload);
        await SendAsync(output.WrittenSpan.ToArray());
    }

    /// <summary>connect to app "live", createStream, publish KEY; returns the onStatus code the server answered.</summary>
    public async Task<string> PublishAsync(string key, TimeSpan timeout)
    {
        await SendCommandAsync(0, "connect", 1, new Dictionary<string, object?> { ["app"] = "live", ["type"] = "nonprivate" });
        await SendCommandAsync(0, "createStream", 2, [null]);
        await SendCommandAsync(1, "publish", 3, null, key, "live");
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var (typeId, payload) = await ReadMessageAsync(cts.Token);
            if (typeId == RtmpMessageType.SetChunkSize)
            {
                _reader.SetChunkSize(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(payload));
            }

            if (typeId != RtmpMessageType.CommandAmf0)
            {
                continue;
            }

            var values = DecodeAll(payload);
            if (values[0] is "onStatus" && values[3] is Dictionary<string, object?> info)
            {
                return (string)info["code"]!;
            }
        }
    }

    /// <summary>Sends FLV file tags as RTMP audio/video messages on message stream 1, timestamps shifted by <paramref name="offsetMs"/>.</summary>
    public async Task SendFlvTagsAsync(IEnumerable<OnAir.Testing.FlvTag> tags, uint offsetMs)
    {
        var output = new ArrayBufferWriter<byte>();
        foreach (var tag in tags.Where(t => t.Type is RtmpMessageType.Audio or RtmpMessageType.Video))
        {
            _writer.Write(output, tag.Type == RtmpMessageType.Video ? 6 : 4, tag.Type, 1, tag.TimestampMs + offsetMs, tag.Body);
        }

        await SendAsync(output.WrittenSpan.ToArray());
    }

    /// <summary>
    /// Leaves like an encoder that stops: says goodbye as ffmpeg does (FCUnpublish, deleteStream, so
    /// the stream ends at once instead of waiting for a reconnect), half-closes, then reads until the
    /// server closes. Closing outright could reset the connection (any unread byte turns close into
    /// RST) and lose what the server had not read yet.
    /// </summary>
    public async Task LeaveAsync(TimeSpan timeout)
    {
        await SendCommandAsync(0, "FCUnpublish", 4, null, "key");
        await SendCommandAsync(0, "deleteStream", 5, null, 1.0);
        _tcp.Client.Shutdown(SocketShutdown.Send);
        if (!await WaitForServerCloseAsync(timeout))
        {
            throw new TimeoutException("the server did not close the connection after the publisher left");
        }
    }

    /// <summary>True when the server closes the connection (end of stream or reset) within the timeout.</summary>
    public async Task<bool> WaitForServerCloseAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var buffer = new byte[4096];
        try
        {
            while (await _stream.ReadAsync(buffer, cts.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<(byte TypeId, byte[] Payload)> ReadMessageAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_pending);
            if (_reader.TryReadMessage(ref sequence, out var message))
            {
                _pending = sequence.ToArray();
                var result = (message.TypeId, message.Payload.ToArray());
                message.Return();
                return result;
            }

            _pending = sequence.ToArray();
            var read = await _stream.ReadAsync(buffer, cancellationToken);
            if (read == 0)
            {
                throw new IOException("server closed the connection");
            }

            _pending = [.. _pending, .. buffer.AsSpan(0, read)];
        }
    }

    private static List<object?> DecodeAll(byte[] payload)
    {
        var reader = new Amf0Reader(payload, 16);
        var values = new List<object?>();
        while (reader.HasMore)
        {
            values.Add(reader.ReadValue());
        }

        while (values.Count < 4)
        {
            values.Add(null);
        }

        return values;
    }
}
