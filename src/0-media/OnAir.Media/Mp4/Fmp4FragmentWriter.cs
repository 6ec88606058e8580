using System.Buffers;
using OnAir.Media.Aac;

namespace OnAir.Media.Mp4;

/// <summary>
/// Writes the media of a fragmented MP4 (CMAF chunks): the frames added since the last
/// <see cref="Flush"/> become one <c>moof</c> (a <c>traf</c> per track with <c>tfdt</c> and a
/// <c>trun</c> of durations, sizes, sync flags and composition offsets) followed by one
/// <c>mdat</c>. Each flush is an HLS part, or a whole segment without parts. Payloads are AVCC and
/// raw AAC exactly as the frames carry them, so the bytes are copied once, into the output.
/// Not thread-safe: one per rendition.
/// </summary>
public sealed class Fmp4FragmentWriter : IDisposable
{
    private const int VideoSampleFields = 16; // duration, size, flags, composition offset
    private const int AudioSampleFields = 12; // duration, size, flags
    private const uint SyncSample = 0x02000000; // depends on no other sample
    private const uint NonSyncSample = 0x01010000; // depends on others, not a sync sample

    private readonly bool _hasVideo;
    private readonly List<MediaFrame> _video = [];
    private readonly List<MediaFrame> _audio = [];
    private long _lastVideoDuration = MediaTime.TicksPerSecond / 30;
    private long _lastVideoDts = long.MinValue;
    private long _lastAudioDts = long.MinValue;
    private uint _sequence;
    private long _videoOffset;
    private long _audioOffset;
    private long _videoEnd = long.MinValue;
    private long _audioEnd = long.MinValue;

    public Fmp4FragmentWriter(bool hasVideo) => _hasVideo = hasVideo;

    /// <summary>
    /// Where the track's last flushed sample ended (its DTS plus its duration), before any gap
    /// closed with <see cref="CloseGap"/>; <see cref="long.MinValue"/> before the first flush.
    /// </summary>
    public long TrackEnd(TrackKind kind) => kind == TrackKind.Video ? _videoEnd : _audioEnd;

    /// <summary>
    /// Moves the track's following samples <paramref name="ticks"/> earlier in the tfdt written: a
    /// recording closes up a publisher's pause this way, so its timeline has no hole.
    /// </summary>
    public void CloseGap(TrackKind kind, long ticks) => (kind == TrackKind.Video ? ref _videoOffset : ref _audioOffset) += ticks;

    /// <summary>Frames waiting for the next flush.</summary>
    public int FrameCount => _video.Count + _audio.Count;

    /// <summary>Whether frames wait for the next flush.</summary>
    public bool HasFrames => _video.Count > 0 || _audio.Count > 0;

    /// <summary>Whether frames of <paramref name="kind"/> wait for the next flush.</summary>
    public bool Holds(TrackKind kind) => (kind == TrackKind.Video ? _video : _audio).Count > 0;

    /// <summary>Whether <see cref="Add"/> takes the frame: its DTS comes after the last one of its track (since the last <see cref="Discard"/>).</summary>
    public bool Accepts(MediaFrame frame) => frame.Dts > (frame.Kind == TrackKind.Video ? _lastVideoDts : _lastAudioDts);

    /// <summary>Holds <paramref name="frame"/> (a reference of its own) until the fragment it belongs to is flushed.</summary>
    /// <exception cref="InvalidMediaException">Its DTS is not after the previous frame's of its track: fMP4 derives each sample's time from the durations before it, so time cannot step back (nothing was held).</exception>
    public void Add(MediaFrame frame)
    {
        if (!Accepts(frame))
        {
            throw new InvalidMediaException($"{frame} does not come after the previous {frame.Kind} frame; fMP4 time cannot step back");
        }

        var isVideo = frame.Kind == TrackKind.Video;
        (isVideo ? ref _lastVideoDts : ref _lastAudioDts) = frame.Dts;
        (isVideo ? _video : _audio).Add(frame.AddRef());
    }

    /// <summary>
    /// Writes the held frames as one fragment and lets them go. <paramref name="endDts"/> is where
    /// the fragment ends on the track that drives the cuts (video, else audio): the DTS of the frame
    /// that starts the next one. Returns the bytes written (0 when no frame was held).
    /// </summary>
    public int Flush(IBufferWriter<byte> output, long endDts)
    {
        if (!HasFrames)
        {
            return 0;
        }

        try
        {
            return Write(output, endDts);
        }
        finally
        {
            ReleaseAll();
        }
    }

    /// <summary>Lets go of the held frames without writing them; the media breaks here (the next frames may start a new timeline).</summary>
    public void Discard()
    {
        ReleaseAll();
        _lastVideoDts = _lastAudioDts = long.MinValue;
    }

    public void Dispose() => ReleaseAll();

    private int Write(IBufferWriter<byte> output, long endDts)
    {
        var videoBytes = PayloadBytes(_video);
        var audioBytes = PayloadBytes(_audio);
        var moofSize = 8 + 16 + TrackFragmentSize(_video, VideoSampleFields) + TrackFragmentSize(_audio, AudioSampleFields);
        var headerSize = moofSize + 8;
        var total = headerSize + videoBytes + audioBytes;

        var box = new BoxWriter(output.GetSpan(headerSize));
        var moof = box.Begin("moof"u8);
        var mfhd = box.BeginFull("mfhd"u8, 0, 0);
        box.U32(++_sequence);
        box.End(mfhd);
        if (_video.Count > 0)
        {
            WriteTrackFragment(ref box, _video, Fmp4Tracks.VideoTrackId, dataOffset: headerSize, endDts);
        }

        if (_audio.Count > 0)
        {
            WriteTrackFragment(ref box, _audio, Fmp4Tracks.AudioTrackId, dataOffset: headerSize + videoBytes, endDts);
        }

        box.End(moof);
        box.U32((uint)(8 + videoBytes + audioBytes));
        box.Bytes("mdat"u8);
        output.Advance(headerSize);
        CopyPayloads(output, _video);
        CopyPayloads(output, _audio);
        return total;
    }

    private void WriteTrackFragment(ref BoxWriter box, List<MediaFrame> frames, int trackId, int dataOffset, long endDts)
    {
        var isVideo = trackId == Fmp4Tracks.VideoTrackId;
        var traf = box.Begin("traf"u8);
        var tfhd = box.BeginFull("tfhd"u8, 0, 0x020000); // default-base-is-moof: data offsets count from the moof
        box.U32((uint)trackId);
        box.End(tfhd);
        var tfdt = box.BeginFull("tfdt"u8, 1, 0);
        box.U64((ulong)Math.Max(0, frames[0].Dts - (isVideo ? _videoOffset : _audioOffset)));
        box.End(tfdt);
        // Data offset, then per sample: duration, size, flags (and for video the composition offset, signed in version 1).
        var trun = box.BeginFull("trun"u8, (byte)(isVideo ? 1 : 0), isVideo ? 0x000F01 : 0x000701);
        box.U32((uint)frames.Count);
        box.I32(dataOffset);
        for (var i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            var duration = SampleDuration(frames, i, isVideo, endDts);
            if (i == frames.Count - 1)
            {
                (isVideo ? ref _videoEnd : ref _audioEnd) = frame.Dts + duration;
            }

            box.U32((uint)duration);
            box.U32((uint)frame.Payload.Length);
            box.U32(frame.IsKeyFrame ? SyncSample : NonSyncSample);
            if (isVideo)
            {
                box.I32((int)(frame.Pts - frame.Dts));
            }
        }

        box.End(trun);
        box.End(traf);
    }

    /// <summary>
    /// Up to the next sample; the last one up to <paramref name="endDts"/> on the track that drives
    /// the cuts. Audio beside video lasts its nominal 1024 samples: the next fragment's tfdt places
    /// the following frame exactly anyway.
    /// </summary>
    private long SampleDuration(List<MediaFrame> frames, int index, bool isVideo, long endDts)
    {
        var dts = frames[index].Dts;
        if (index + 1 < frames.Count)
        {
            var next = Math.Max(0, frames[index + 1].Dts - dts);
            if (isVideo)
            {
                _lastVideoDuration = next > 0 ? next : _lastVideoDuration;
            }

            return next;
        }

        var drivesCuts = isVideo || !_hasVideo;
        if (drivesCuts && endDts > dts)
        {
            if (isVideo)
            {
                _lastVideoDuration = endDts - dts;
            }

            return endDts - dts;
        }

        return isVideo ? _lastVideoDuration : NominalAudioDuration(frames[index]);
    }

    private static long NominalAudioDuration(MediaFrame frame) =>
        frame.Config is AacConfig aac ? (aac.SamplesPerFrame * MediaTime.TicksPerSecond) / aac.SampleRate : MediaTime.TicksPerSecond * 1024 / 48000;

    private static void CopyPayloads(IBufferWriter<byte> output, List<MediaFrame> frames)
    {
        foreach (var frame in frames)
        {
            output.Write(frame.Span); // in pieces the output has room for: a keyframe does not make it grow a buffer its size
        }
    }

    private static int PayloadBytes(List<MediaFrame> frames)
    {
        var bytes = 0;
        foreach (var frame in frames)
        {
            bytes += frame.Payload.Length;
        }

        return bytes;
    }

    private static int TrackFragmentSize(List<MediaFrame> frames, int sampleFields) =>
        frames.Count == 0 ? 0 : 8 + 16 + 20 + 20 + (frames.Count * sampleFields);

    private void ReleaseAll()
    {
        foreach (var frame in _video)
        {
            frame.Release();
        }

        foreach (var frame in _audio)
        {
            frame.Release();
        }

        _video.Clear();
        _audio.Clear();
    }
}
