using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Mp4;
using OnAir.Recording;
using OnAir.Streams;
using OnAir.Testing;

namespace OnAir.Benchmarks.Recording;

/// <summary>
/// <c>recording-finalise DATA_DIR SECONDS FLV</c>: writes a recording of SECONDS of media, made of
/// the FLV's frames repeated on one timeline, the way a recorder does (a fragment per 2 s, cut at
/// keyframes), then times its finalisation (the scan, the fast-start MP4 head, the VOD playlists)
/// and prints one JSON object: the recording's id, media bytes, head bytes and finalise seconds.
/// bench/record.sh compares it with ffmpeg remuxing the same file to a fast-start MP4.
/// </summary>
internal static class RecordingFinaliseTool
{
    public static int Run(string[] args)
    {
        if (args.Length != 3 || !double.TryParse(args[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            Console.Error.WriteLine("usage: OnAir.Benchmarks recording-finalise DATA_DIR SECONDS FLV");
            return 2;
        }

        var catalog = new RecordingCatalog(new DataDirectory(args[0]));
        var info = catalog.Create("bench", DateTimeOffset.UtcNow, id => new RecordingInfo(id, "bench", "bench", DateTimeOffset.UtcNow, RecordingState.Recording, [new RecordedRendition(Rendition.SourceName, "", 0, 0)]));
        catalog.Save(info);
        var media = catalog.MediaPath(info.Id, Rendition.SourceName);
        var frames = FlvVector.ReadFrames(Path.GetFullPath(args[2]), out _);
        try
        {
            WriteRecording(media, frames, MediaTime.FromSeconds(seconds));
        }
        finally
        {
            frames.ForEach(f => f.Release());
        }

        var started = Stopwatch.GetTimestamp();
        var finished = RecordingFinalizer.Finalise(info, catalog, repairing: false, NullLogger.Instance);
        var took = Stopwatch.GetElapsedTime(started);
        var directory = catalog.RenditionDirectory(info.Id, Rendition.SourceName);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            id = info.Id,
            media = media,
            state = finished.State.ToString(),
            durationSeconds = finished.DurationSeconds,
            mediaBytes = new FileInfo(media).Length,
            headBytes = new FileInfo(Path.Combine(directory, RecordingCatalog.ProgressiveHeadFileName)).Length,
            playlistBytes = new FileInfo(Path.Combine(directory, RecordingCatalog.PlaylistFileName)).Length,
            initBytes = finished.Renditions[0].InitBytes,
            finaliseSeconds = Math.Round(took.TotalSeconds, 4),
        }));
        return finished.State == RecordingState.Ready ? 0 : 1;
    }

    /// <summary>The frames repeated back to back until <paramref name="length"/> ticks, in 2 s fragments cut at keyframes.</summary>
    private static void WriteRecording(string path, List<MediaFrame> frames, long length)
    {
        var video = frames.First(f => f.Kind == TrackKind.Video).Config as AvcConfig;
        var audio = frames.FirstOrDefault(f => f.Kind == TrackKind.Audio)?.Config as AacConfig;
        var first = frames.Min(f => f.Dts);
        var loop = frames.Max(f => f.Dts) - first + MediaTime.FromMilliseconds(34);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        file.Write(Fmp4InitSegment.Create(video, audio));
        using var writer = new Fmp4FragmentWriter(hasVideo: true);
        var buffer = new ArrayBufferWriter<byte>(4 << 20);
        long fragmentStart = 0;
        for (long offset = 0; offset < length; offset += loop)
        {
            foreach (var frame in frames)
            {
                var dts = frame.Dts - first + offset;
                if (frame.Kind == TrackKind.Video && frame.IsKeyFrame && writer.HasFrames && dts - fragmentStart >= MediaTime.FromSeconds(2))
                {
                    buffer.ResetWrittenCount();
                    writer.Flush(buffer, dts);
                    file.Write(buffer.WrittenSpan);
                    fragmentStart = dts;
                }

                using var copy = new FrameCopy(MediaFrame.Create(frame.Kind, dts, frame.Pts - first + offset, frame.IsKeyFrame, frame.Config, frame.Span));
                if (writer.Accepts(copy.Frame))
                {
                    writer.Add(copy.Frame);
                }
            }
        }

        buffer.ResetWrittenCount();
        writer.Flush(buffer, 0);
        file.Write(buffer.WrittenSpan);
    }

    /// <summary>Releases the tool's own reference to a frame copy (the writer holds its own).</summary>
    private readonly struct FrameCopy(MediaFrame frame) : IDisposable
    {
        public MediaFrame Frame { get; } = frame;

        public void Dispose() => Frame.Release();
    }
}
