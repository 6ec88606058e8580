using System.Buffers;
using OnAir.Media;
using OnAir.Media.Aac;

namespace OnAir.Media.MpegTs;

/// <summary>
/// Writes one program of H.264 or H.265 and/or AAC as an MPEG-TS (ISO/IEC 13818-1) byte stream: one PES per
/// frame, split into 188-byte packets. Continuity counters live here and run on across segments,
/// so consecutive segments concatenate into one valid stream. Not thread-safe: one per rendition.
/// </summary>
/// <remarks>Steady state allocates nothing: packets are written straight into the output's memory.</remarks>
public sealed class TsMuxer
{
    private readonly ProgramTables _tables;
    private readonly byte _videoStreamType;
    private readonly bool _hasAudio;
    private int _videoContinuity;
    private int _audioContinuity;

    /// <summary>A program whose video, if any, is H.264.</summary>
    /// <exception cref="ArgumentException">Neither video nor audio.</exception>
    public TsMuxer(bool hasVideo, bool hasAudio)
        : this(hasVideo ? TsStreamInfo.StreamTypeH264 : (byte)0, hasAudio)
    {
    }

    /// <summary>A program whose video, if any, is of <paramref name="video"/>'s codec (the PMT names it once; frames of another codec are refused).</summary>
    /// <exception cref="ArgumentException">Neither video nor audio.</exception>
    public TsMuxer(VideoConfig? video, bool hasAudio)
        : this(video?.TsStreamType ?? 0, hasAudio)
    {
    }

    private TsMuxer(byte videoStreamType, bool hasAudio)
    {
        _tables = new ProgramTables(videoStreamType, hasAudio);
        _videoStreamType = videoStreamType;
        _hasAudio = hasAudio;
    }

    /// <summary>PAT + PMT; the segmenter calls it at the start of every segment.</summary>
    public void WriteTables(IBufferWriter<byte> output) => _tables.Write(output);

    /// <summary>One PES for the frame, split into 188-byte TS packets written to output.</summary>
    /// <exception cref="ArgumentException">The frame's track was not declared, or its codec is not the one declared (video) or AAC.</exception>
    /// <exception cref="InvalidMediaException">The payload is malformed; nothing was written.</exception>
    public void WriteFrame(MediaFrame frame, IBufferWriter<byte> output)
    {
        switch (frame.Kind)
        {
            case TrackKind.Video when frame.Config is VideoConfig video && video.TsStreamType == _videoStreamType:
                WriteVideo(frame, video, output);
                break;
            case TrackKind.Audio when _hasAudio && frame.Config is AacConfig aac:
                WriteAudio(frame, aac, output);
                break;
            default:
                throw new ArgumentException($"{frame} does not fit this muxer (video stream type 0x{_videoStreamType:X2}, audio {_hasAudio}).", nameof(frame));
        }
    }

    private void WriteVideo(MediaFrame frame, VideoConfig config, IBufferWriter<byte> output)
    {
        var payload = new AnnexBAccessUnit(
            config.Nal, frame.Span, config.NalLengthSize, frame.IsKeyFrame ? config.AnnexBParameterSets.Span : default);
        Span<byte> header = stackalloc byte[PesHeader.MaxSize];
        header = header[..PesHeader.Write(header, PesHeader.VideoStreamId, frame.Pts, frame.Dts, payload.Length)];
        // PCR = DTS: the decoder clock reaches each picture exactly when it is due for decoding.
        PesPacketizer.Write(
            output, ProgramTables.VideoPid, ref _videoContinuity, header, ref payload,
            writePcr: _tables.PcrPid == ProgramTables.VideoPid, pcrBase: frame.Dts, randomAccess: frame.IsKeyFrame);
    }

    private void WriteAudio(MediaFrame frame, AacConfig config, IBufferWriter<byte> output)
    {
        var raw = frame.Span;
        Span<byte> adts = stackalloc byte[AdtsHeader.Size];
        AdtsHeader.Write(adts, config, raw.Length);
        var payload = new AdtsFrame(adts, raw);
        Span<byte> header = stackalloc byte[PesHeader.MaxSize];
        header = header[..PesHeader.Write(header, PesHeader.AudioStreamId, frame.Pts, frame.Pts, payload.Length)];
        // Every AAC frame decodes on its own, so each is a random access point (ffmpeg flags them too).
        PesPacketizer.Write(
            output, ProgramTables.AudioPid, ref _audioContinuity, header, ref payload,
            writePcr: _tables.PcrPid == ProgramTables.AudioPid, pcrBase: frame.Pts, randomAccess: frame.IsKeyFrame);
    }
}
