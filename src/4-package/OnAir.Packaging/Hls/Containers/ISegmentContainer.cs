using System.Buffers;
using OnAir.Media;

namespace OnAir.Packaging.Hls.Containers;

/// <summary>
/// Turns a rendition's frames into the bytes of its segments and parts, in one container format.
/// The segmenter decides where segments and parts start and end; the container only writes.
/// One per rendition, used by its packager loop only.
/// </summary>
internal interface ISegmentContainer : IDisposable
{
    /// <summary>File extension of segments and parts (<c>ts</c>, <c>m4s</c>).</summary>
    string Extension { get; }

    /// <summary>Whether frames are held until their part ends (fMP4), or written as they come (MPEG-TS).</summary>
    bool HoldsFrames { get; }

    /// <summary>The MIME type a segment is served with.</summary>
    string ContentType { get; }

    /// <summary>
    /// The initialization segment (EXT-X-MAP) for these codec configurations, or null when the format
    /// needs none (MPEG-TS carries its tables in every segment).
    /// </summary>
    byte[]? CreateInitSegment(CodecConfig? video, CodecConfig? audio);

    /// <summary>A segment starts: whatever must open it (MPEG-TS's PAT and PMT).</summary>
    void BeginSegment(IBufferWriter<byte> output);

    /// <summary>Whether <see cref="Write"/> can take the frame where its track is now (fMP4: its DTS must come after the track's last).</summary>
    bool Accepts(MediaFrame frame);

    void Write(MediaFrame frame, IBufferWriter<byte> output);

    /// <summary>A part (or a segment without parts) ends at <paramref name="endDts"/>: whatever the format holds back is written now.</summary>
    void EndPart(IBufferWriter<byte> output, long endDts);

    /// <summary>The media breaks here (a gap, the publisher's clock restarted, the end): held frames no part will carry are dropped, and the next frames may start a new timeline.</summary>
    void BreakTimeline();
}
