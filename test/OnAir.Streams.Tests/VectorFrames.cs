using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Testing;

namespace OnAir.Streams.Tests;

/// <summary>
/// The frames of an ffmpeg-made vector (real payloads, timestamps, keyframe flags and codec
/// configurations from its sequence headers), replayable as fresh <see cref="MediaFrame"/>s.
/// Index i past the end loops the vector with timestamps shifted forward, so streams can be any length.
/// </summary>
internal sealed class VectorFrames
{
    private static readonly Lazy<VectorFrames> s_audioVideo = new(() => new VectorFrames("h264-aac-320x240-2s.flv"));
    private static readonly Lazy<VectorFrames> s_audioOnly = new(() => new VectorFrames("aac-44100-mono.flv"));

    private readonly List<Template> _templates = [];
    private readonly long _loopTicks;

    private VectorFrames(string vector)
    {
        var frames = FlvVector.ReadFrames(vector, out var reader);
        foreach (var frame in frames)
        {
            _templates.Add(new Template(frame.Kind, frame.Dts, frame.Pts, frame.IsKeyFrame, frame.Span.ToArray()));
            frame.Release();
        }

        Video = (AvcConfig?)reader.Video; // the vectors are H.264
        Audio = reader.Audio;
        _loopTicks = _templates.Max(t => t.Dts) + MediaTime.FromMilliseconds(100);
    }

    /// <summary>h264-aac-320x240-2s.flv: H.264 High 30 fps, GOP 30, with AAC-LC interleaved.</summary>
    public static VectorFrames AudioVideo => s_audioVideo.Value;

    /// <summary>aac-44100-mono.flv: AAC only, as an internet radio publishes.</summary>
    public static VectorFrames AudioOnly => s_audioOnly.Value;

    /// <summary>The configuration from the vector's AVC sequence header (parsed by <see cref="AvcConfig.Parse"/>).</summary>
    public AvcConfig? Video { get; }

    public AacConfig? Audio { get; }

    public int Count => _templates.Count;

    public Template this[int index]
    {
        get
        {
            var t = _templates[index % _templates.Count];
            var shift = index / _templates.Count * _loopTicks;
            return t with { Dts = t.Dts + shift, Pts = t.Pts + shift };
        }
    }

    public bool IsVideoKey(int index) => this[index] is { Kind: TrackKind.Video, IsKeyFrame: true };

    /// <summary>Index of the first video keyframe at or after <paramref name="from"/>.</summary>
    public int NextVideoKey(int from)
    {
        var i = from;
        while (!IsVideoKey(i))
        {
            i++;
        }

        return i;
    }

    public MediaFrame Create(int index)
    {
        var t = this[index];
        CodecConfig config = t.Kind == TrackKind.Video ? Video! : Audio!;
        return MediaFrame.Create(t.Kind, t.Dts, t.Pts, t.IsKeyFrame, config, t.Payload);
    }

    /// <summary>Frames [start, start + count) created up front, so none of them is a re-rented object of another.</summary>
    public MediaFrame[] CreateRange(int start, int count)
    {
        var frames = new MediaFrame[count];
        for (var i = 0; i < count; i++)
        {
            frames[i] = Create(start + i);
        }

        return frames;
    }

    internal sealed record Template(TrackKind Kind, long Dts, long Pts, bool IsKeyFrame, byte[] Payload);
}
