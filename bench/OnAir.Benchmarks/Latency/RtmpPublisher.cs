using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;
using System.Security.Cryptography;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Amf0;
using OnAir.Ingest.Rtmp.Chunking;
using OnAir.Ingest.Rtmp.Messages;

namespace OnAir.Benchmarks.Latency;

/// <summary>A command or status the server sent: name, transaction id and the values after them.</summary>
internal sealed record ServerCommand(string Name, double TransactionId, IReadOnlyList<object?> Arguments);

/// <summary>
/// A minimal RTMP publisher (plain handshake, AMF0 connect/createStream/publish, then FLV tags as
/// RTMP messages). Enough for nginx-rtmp and OnAir; what it sends is what ffmpeg sends, minus the
/// optional commands (releaseStream, FCPublish). A background thread drains and parses what the
/// server sends, so the server never blocks on a full socket buffer.
/// </summary>
internal sealed class RtmpPublisher : IDisposable
{
    private const int CommandChunkStream = 3;
    private const int DataChunkStream = 5;
    private const int AudioChunkStream = 4;
    private const int VideoChunkStream = 6;
    private const int OutgoingChunkSize = 4096;

    private readonly Socket _socket;
    private readonly ChunkWriter _writer = new();
    private readonly ArrayBufferWriter<byte> _output = new(512 * 1024);
    private readonly BlockingCollection<ServerCommand> _commands = [];
    private readonly Thread _receiver;
    private volatile Exception? _receiveError;
    private uint _streamId;

    private RtmpPublisher(Socket socket)
    {
        _socket = socket;
        _receiver = new Thread(Receive) { IsBackground = true, Name = "rtmp-receive" };
    }

    public static RtmpPublisher Connect(string host, int port, string app, string streamKey, TimeSpan timeout)
    {
        // NoDelay: the last byte of a message leaves at once. A 1 MiB send buffer holds any
        // keyframe of the bench input, so sends do not wait for the server to read.
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 1024 * 1024 };
        socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        socket.SendTimeout = (int)timeout.TotalMilliseconds;
        socket.Connect(host, port);
        var publisher = new RtmpPublisher(socket);
        try
        {
            publisher.Handshake();
            publisher._receiver.Start();
            publisher.Publish(host, port, app, streamKey, timeout);
            return publisher;
        }
        catch
        {
            publisher.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sends one FLV tag (8 audio, 9 video, 18 script) as an RTMP message; returns when the kernel
    /// has it all. The message's last byte goes in a send call of its own: the returned
    /// <see cref="Stopwatch"/> timestamp is taken just before that call, so the server cannot have
    /// had the complete message earlier (<paramref name="lastByteBlockedTicks"/>: how long that call took).
    /// </summary>
    public long SendTag(byte type, uint timestamp, ReadOnlySpan<byte> body, out long lastByteBlockedTicks)
    {
        if (_receiveError is { } error)
        {
            throw new IOException("the server connection failed", error);
        }

        _output.ResetWrittenCount();
        switch (type)
        {
            case RtmpMessageType.Audio:
                _writer.Write(_output, AudioChunkStream, type, _streamId, timestamp, body);
                break;
            case RtmpMessageType.Video:
                _writer.Write(_output, VideoChunkStream, type, _streamId, timestamp, body);
                break;
            default:
                // FLV onMetaData becomes @setDataFrame("onMetaData", {...}), as ffmpeg sends it.
                var data = new ArrayBufferWriter<byte>(body.Length + 16);
                Amf0Writer.WriteString(data, "@setDataFrame");
                data.Write(body);
                _writer.Write(_output, DataChunkStream, RtmpMessageType.DataAmf0, _streamId, timestamp, data.WrittenSpan);
                break;
        }

        var message = _output.WrittenSpan;
        SendAll(message[..^1]);
        var beforeLastByte = Stopwatch.GetTimestamp();
        SendAll(message[^1..]);
        lastByteBlockedTicks = Stopwatch.GetTimestamp() - beforeLastByte;
        return beforeLastByte;
    }

    public void Dispose()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }

        _socket.Dispose();
        if (_receiver.IsAlive)
        {
            _receiver.Join(TimeSpan.FromSeconds(2));
        }

        _commands.Dispose();
    }

    private void Handshake()
    {
        var c0c1 = new byte[1 + 1536];
        c0c1[0] = 3;
        RandomNumberGenerator.Fill(c0c1.AsSpan(9)); // time 0, version 0 (plain handshake), random
        SendAll(c0c1);
        var s0s1s2 = new byte[1 + 1536 + 1536];
        ReceiveExactly(s0s1s2);
        if (s0s1s2[0] != 3)
        {
            throw new IOException($"server answered handshake version {s0s1s2[0]}");
        }

        SendAll(s0s1s2.AsSpan(1, 1536)); // C2 = echo of S1
    }

    private void Publish(string host, int port, string app, string streamKey, TimeSpan timeout)
    {
        var message = new ArrayBufferWriter<byte>();
        var chunkSize = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(chunkSize, OutgoingChunkSize);
        _output.ResetWrittenCount();
        _writer.Write(_output, 2, RtmpMessageType.SetChunkSize, 0, 0, chunkSize);
        SendAll(_output.WrittenSpan);
        _writer.ChunkSize = OutgoingChunkSize;

        Amf0Writer.WriteString(message, "connect");
        Amf0Writer.WriteNumber(message, 1);
        Amf0Writer.WriteObject(message, new List<KeyValuePair<string, object?>>
        {
            new("app", app),
            new("type", "nonprivate"),
            new("flashVer", "FMLE/3.0 (compatible; OnAir.Benchmarks)"),
            new("tcUrl", $"rtmp://{host}:{port}/{app}"),
        });
        SendCommand(0, message.WrittenSpan);
        Expect("_result", 1, timeout);

        message.ResetWrittenCount();
        Amf0Writer.WriteString(message, "createStream");
        Amf0Writer.WriteNumber(message, 2);
        Amf0Writer.WriteNull(message);
        SendCommand(0, message.WrittenSpan);
        var created = Expect("_result", 2, timeout);
        _streamId = created.Arguments.Count > 1 && created.Arguments[1] is double id ? (uint)id : throw new IOException("createStream _result without a stream id");

        message.ResetWrittenCount();
        Amf0Writer.WriteString(message, "publish");
        Amf0Writer.WriteNumber(message, 3);
        Amf0Writer.WriteNull(message);
        Amf0Writer.WriteString(message, streamKey);
        Amf0Writer.WriteString(message, "live");
        SendCommand(_streamId, message.WrittenSpan);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var status = Next(timeout - deadline.Elapsed);
            if (status.Name == "onStatus" && status.Arguments.Count > 1 && status.Arguments[1] is Dictionary<string, object?> info)
            {
                var code = info.GetValueOrDefault("code") as string;
                if (code == "NetStream.Publish.Start")
                {
                    return;
                }

                throw new IOException($"publish refused: {code} {info.GetValueOrDefault("description")}");
            }
        }
    }

    private void SendCommand(uint streamId, ReadOnlySpan<byte> payload)
    {
        _output.ResetWrittenCount();
        _writer.Write(_output, CommandChunkStream, RtmpMessageType.CommandAmf0, streamId, 0, payload);
        SendAll(_output.WrittenSpan);
    }

    private ServerCommand Expect(string name, double transactionId, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var command = Next(timeout - deadline.Elapsed);
            if (command.TransactionId == transactionId && (command.Name == name || command.Name == "_error"))
            {
                return command.Name == name ? command : throw new IOException($"server answered _error to transaction {transactionId}: {Describe(command)}");
            }
        }
    }

    private ServerCommand Next(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero || !_commands.TryTake(out var command, timeout))
        {
            throw new TimeoutException("no answer from the server", _receiveError);
        }

        return command;
    }

    private static string Describe(ServerCommand command) =>
        $"{command.Name} {string.Join(' ', command.Arguments.Select(a => a is Dictionary<string, object?> d ? "{" + string.Join(", ", d.Select(p => $"{p.Key}: {p.Value}")) + "}" : a?.ToString() ?? "null"))}";

    private void SendAll(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            data = data[_socket.Send(data)..];
        }
    }

    private void ReceiveExactly(Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            var read = _socket.Receive(destination);
            if (read == 0)
            {
                throw new IOException("the server closed the connection during the handshake");
            }

            destination = destination[read..];
        }
    }

    private void Receive()
    {
        var buffer = new byte[64 * 1024];
        var used = 0;
        using var reader = new ChunkReader(new RtmpOptions());
        try
        {
            _socket.ReceiveTimeout = 0;
            while (true)
            {
                if (used == buffer.Length)
                {
                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                var read = _socket.Receive(buffer.AsSpan(used));
                if (read == 0)
                {
                    _receiveError = new IOException("the server closed the connection");
                    return;
                }

                used += read;
                var input = new ReadOnlySequence<byte>(buffer, 0, used);
                while (reader.TryReadMessage(ref input, out var message))
                {
                    try
                    {
                        Handle(reader, message);
                    }
                    finally
                    {
                        message.Return();
                    }
                }

                var left = (int)input.Length;
                buffer.AsSpan(used - left, left).CopyTo(buffer);
                used = left;
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or RtmpProtocolException)
        {
            _receiveError = ex;
        }
    }

    private void Handle(ChunkReader reader, RtmpMessage message)
    {
        if (ProtocolControlHandler.ApplyToReader(reader, message))
        {
            return;
        }

        switch (message.TypeId)
        {
            case RtmpMessageType.CommandAmf0:
            case RtmpMessageType.CommandAmf3:
                var payload = message.TypeId == RtmpMessageType.CommandAmf3 ? message.Payload[1..] : message.Payload;
                var amf = new Amf0Reader(payload, 16);
                var name = amf.ReadValue() as string ?? "";
                var transaction = amf.HasMore && amf.ReadValue() is double t ? t : 0;
                var arguments = new List<object?>();
                while (amf.HasMore)
                {
                    arguments.Add(amf.ReadValue());
                }

                if (!_commands.IsAddingCompleted)
                {
                    _commands.Add(new ServerCommand(name, transaction, arguments));
                }

                break;
        }
    }
}
