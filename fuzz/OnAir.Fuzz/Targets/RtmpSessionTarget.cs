using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OnAir.Ingest.Rtmp;
using OnAir.Ingest.Rtmp.Handshake;
using OnAir.Ingest.Rtmp.Messages;
using OnAir.Streams;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// A whole RTMP connection after a valid handshake, as a publisher drives it: commands (connect,
/// createStream, publish, FCUnpublish, deleteStream), metadata and media into a real stream
/// registry, replies written out. What reaches a connection's catch-all (its "unexpected failure"
/// log) is a finding here.
/// </summary>
internal sealed class RtmpSessionTarget : IFuzzTarget
{
    private const int HandshakeLength = HandshakeResponder.C0C1Length + HandshakeResponder.C2Length;
    private static readonly RtmpOptions s_options = new() { MaxMessageSize = 1024 * 1024, ReceiveBatchMilliseconds = 0 };
    private static readonly byte[] s_handshake = Vectors.Read("ffmpeg-publish.rtmp")[..HandshakeLength];

    public static string Name => "rtmp-session";

    public static IEnumerable<byte[]> Seeds()
    {
        var capture = Vectors.Read("ffmpeg-publish.rtmp")[HandshakeLength..];
        return [capture[..Math.Min(capture.Length, 24 * 1024)]];
    }

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        var registry = new StreamRegistry(Options.Create(new StreamsOptions()), Options.Create(new LifecycleOptions { ReconnectGraceSeconds = 0 }), new StreamEvents(), TimeProvider.System);
        var fromPeer = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        var toPeer = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        ((IBufferWriter<byte>)fromPeer.Writer).Write(s_handshake);
        ((IBufferWriter<byte>)fromPeer.Writer).Write(input);
        fromPeer.Writer.Complete();
        toPeer.Reader.Complete(); // the replies are not read: a peer that never reads them
        var connection = new RtmpConnection(new DuplexPipe(fromPeer.Reader, toPeer.Writer), "fuzz", "127.0.0.1:1", s_options, new CommandHandler(registry, s_options), TimeProvider.System, NullLogger.Instance);
        connection.RunAsync(CancellationToken.None).GetAwaiter().GetResult();
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input => input;

        public PipeWriter Output => output;
    }
}
