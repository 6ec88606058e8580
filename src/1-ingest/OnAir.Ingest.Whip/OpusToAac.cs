using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using OnAir.Media;
using OnAir.Media.MpegTs;
using OnAir.Media.Ogg;
using OnAir.Media.Opus;

namespace OnAir.Ingest.Whip;

/// <summary>
/// A browser's Opus made AAC for HLS by one small ffmpeg per session: Opus packets go in as Ogg pages
/// whose granule positions keep their times, AAC comes back in MPEG-TS (with -copyts, the same times)
/// and through OnAir's demuxer as frames. Writing never blocks the caller (the WebRTC socket thread):
/// packets queue for a writer task, and a full queue drops.
/// </summary>
internal sealed class OpusToAac : IAsyncDisposable
{
    private const int QueuedPackets = 256;
    private const int SilenceSamples = 960;

    /// <summary>At most 5 s of silence fills one gap; a longer one (a publisher that stalled) is left to the stream's own gap handling.</summary>
    private const int MaxFillPackets = 250;

    private readonly Process _ffmpeg;
    private readonly Channel<byte[]> _pages = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueuedPackets) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true, SingleWriter = true });
    private readonly OggOpusWriter _ogg = new(0x4F6E4169);
    private readonly Action<MediaFrame> _output;
    private readonly Task _writer;
    private readonly Task _reader;
    private readonly Task _errors;
    private long _lastGranule = -1;
    private bool _headersWritten;
    private string _lastError = "";

    /// <param name="output">Gets each AAC frame (90 kHz times on the session clock); owns its reference.</param>
    public OpusToAac(string ffmpegPath, Action<MediaFrame> output)
    {
        _output = output;
        var start = new ProcessStartInfo(ffmpegPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-fflags", "+nobuffer", "-probesize", "4096", "-analyzeduration", "0",
            "-f", "ogg", "-i", "pipe:0", "-copyts", "-map", "0:a", "-c:a", "aac", "-b:a", "128k", "-ar", "48000",
            "-muxdelay", "0", "-muxpreload", "0", "-flush_packets", "1", "-f", "mpegts", "pipe:1"])
        {
            start.ArgumentList.Add(argument);
        }

        _ffmpeg = Process.Start(start) ?? throw new InvalidOperationException($"{ffmpegPath} did not start");
        _writer = Task.Run(WriteAsync);
        _reader = Task.Run(ReadAsync);
        _errors = Task.Run(async () =>
        {
            while (await _ffmpeg.StandardError.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                _lastError = line;
            }
        });
    }

    /// <summary>ffmpeg's last error line, for the log when the session ends.</summary>
    public string LastError => _lastError;

    /// <summary>Packets dropped because ffmpeg fell behind.</summary>
    public long Dropped { get; private set; }

    /// <summary>Queues one Opus packet that starts at <paramref name="pts"/> (90 kHz ticks).</summary>
    public void Write(ReadOnlySpan<byte> packet, long pts)
    {
        var samples = OpusPacket.Samples(packet);
        if (samples == 0 || packet.Length > OggOpusWriter.MaxPacket)
        {
            return;
        }

        // The page's granule is the packet's end, in 48 kHz samples; it must grow. A gap (loss, DTX) is filled
        // with silence packets, up to MaxFill: ffmpeg times the packet after a gap from the page before it.
        var start = pts * OggOpusWriter.SampleRate / MediaTime.TicksPerSecond;
        if (_lastGranule >= 0)
        {
            var gap = start - _lastGranule;
            for (var filled = 0; gap >= SilenceSamples && filled < MaxFillPackets; filled++, gap -= SilenceSamples)
            {
                Queue(OpusPacket.Silence20Ms, _lastGranule + SilenceSamples);
            }
        }

        Queue(packet, Math.Max(start + samples, _lastGranule + samples));
    }

    private void Queue(ReadOnlySpan<byte> packet, long granule)
    {
        _lastGranule = granule;
        var headers = _headersWritten ? 0 : OggOpusWriter.HeadersSize;
        var page = new byte[headers + OggOpusWriter.PageSize(packet.Length)];
        if (!_headersWritten)
        {
            _headersWritten = true;
            _ogg.WriteHeaders(page, channels: 2, preSkip: 0);
        }

        _ogg.WritePacket(page.AsSpan(headers), packet, granule);
        if (!_pages.Writer.TryWrite(page))
        {
            Dropped++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pages.Writer.TryComplete();
        try
        {
            _ffmpeg.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }

        await Task.WhenAll(_writer, _reader, _errors).ConfigureAwait(false);
        _ffmpeg.Dispose();
    }

    private async Task WriteAsync()
    {
        var stdin = _ffmpeg.StandardInput.BaseStream;
        try
        {
            // Everything queued goes out in one write: a page every 20 ms written alone would be a syscall each.
            var batch = new ArrayBufferWriter<byte>(16 * 1024);
            while (await _pages.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.ResetWrittenCount();
                while (_pages.Reader.TryRead(out var page))
                {
                    batch.Write(page);
                }

                await stdin.WriteAsync(batch.WrittenMemory).ConfigureAwait(false);
                await stdin.FlushAsync().ConfigureAwait(false);
            }
        }
        catch (IOException)
        {
            // ffmpeg exited; the reader sees its end
        }
    }

    private async Task ReadAsync()
    {
        using var demuxer = new TsDemuxer();
        var frames = new List<TsFrame>();
        var buffer = new byte[16 * 1024];
        var stdout = _ffmpeg.StandardOutput.BaseStream;
        int read;
        try
        {
            while ((read = await stdout.ReadAsync(buffer).ConfigureAwait(false)) > 0)
            {
                demuxer.Push(buffer.AsSpan(0, read), frames);
                foreach (var (_, frame) in frames)
                {
                    if (frame.Kind == TrackKind.Audio)
                    {
                        _output(frame);
                    }
                    else
                    {
                        frame.Release();
                    }
                }

                frames.Clear();
            }
        }
        catch (IOException)
        {
            // killed at dispose
        }
    }
}
