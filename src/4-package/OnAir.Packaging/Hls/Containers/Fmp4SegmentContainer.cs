using System.Buffers;
using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Mp4;

namespace OnAir.Packaging.Hls.Containers;

/// <summary>fMP4 (CMAF) segments: frames are held until their part ends, then written as one moof/mdat fragment.</summary>
internal sealed class Fmp4SegmentContainer(bool hasVideo) : ISegmentContainer
{
    private readonly Fmp4FragmentWriter _fragments = new(hasVideo);

    public string Extension => "m4s";

    public bool HoldsFrames => true;

    public string ContentType => "video/mp4";

    public byte[]? CreateInitSegment(CodecConfig? video, CodecConfig? audio) =>
        Fmp4InitSegment.Create(video as VideoConfig, audio as AacConfig);

    public void BeginSegment(IBufferWriter<byte> output)
    {
    }

    public bool Accepts(MediaFrame frame) => _fragments.Accepts(frame);

    public void Write(MediaFrame frame, IBufferWriter<byte> output)
    {
        if (frame.Config is not (VideoConfig or AacConfig))
        {
            throw new InvalidMediaException($"{frame} is neither H.264, H.265 nor AAC, which fMP4 segments carry.");
        }

        _fragments.Add(frame);
    }

    public void EndPart(IBufferWriter<byte> output, long endDts) => _fragments.Flush(output, endDts);

    public void BreakTimeline() => _fragments.Discard();

    public void Dispose() => _fragments.Dispose();
}
