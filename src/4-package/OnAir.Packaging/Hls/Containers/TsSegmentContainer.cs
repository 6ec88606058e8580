using System.Buffers;
using OnAir.Media;
using OnAir.Media.MpegTs;

namespace OnAir.Packaging.Hls.Containers;

/// <summary>
/// MPEG-TS segments: every frame is muxed as it comes, each segment opens with PAT and PMT. The PMT
/// names the video codec of the stream's first configuration (H.264 or H.265) for the stream's life.
/// </summary>
internal sealed class TsSegmentContainer(VideoConfig? video, bool hasAudio) : ISegmentContainer
{
    private readonly TsMuxer _muxer = new(video, hasAudio);

    public string Extension => "ts";

    public bool HoldsFrames => false;

    public string ContentType => "video/mp2t";

    public byte[]? CreateInitSegment(CodecConfig? video, CodecConfig? audio) => null;

    public void BeginSegment(IBufferWriter<byte> output) => _muxer.WriteTables(output);

    public bool Accepts(MediaFrame frame) => true; // every PES carries its own timestamps

    /// <exception cref="InvalidMediaException">
    /// A publisher came back with the other video codec: players keep the PMT they read first (hls.js
    /// parses one per demuxer), so its frames are refused with a reason rather than muxed under it.
    /// </exception>
    public void Write(MediaFrame frame, IBufferWriter<byte> output)
    {
        if (frame.Config is VideoConfig changed && video is not null && changed.TsStreamType != video.TsStreamType)
        {
            throw new InvalidMediaException(
                $"the video is now {changed.CodecString} where this stream's MPEG-TS segments carry {video.CodecString}; " +
                "its frames are dropped until the stream ends (fMP4 segments, hls.segmentFormat fmp4, follow a codec change)");
        }

        _muxer.WriteFrame(frame, output);
    }

    public void EndPart(IBufferWriter<byte> output, long endDts)
    {
    }

    public void BreakTimeline()
    {
    }

    public void Dispose()
    {
    }
}
