namespace OnAir.Media.MpegTs;

/// <summary>What every PID handler of one demuxer shares: limits, counters, the program clock and where frames go.</summary>
internal sealed class DemuxContext
{
    private Timestamp33 _clock;

    public DemuxContext(TsDemuxerOptions options)
    {
        Options = options;
    }

    public TsDemuxerOptions Options { get; }

    public TsDemuxerCounters Counters { get; } = new();

    /// <summary>Where the demuxer's frame payloads are packed.</summary>
    public FrameArena Arena { get; } = new();

    /// <summary>The caller's list during a <see cref="TsDemuxer.Push(ReadOnlySpan{byte}, List{TsFrame})"/> or <see cref="TsDemuxer.Flush"/> call, null between calls.</summary>
    public List<TsFrame>? Output { get; set; }

    /// <summary>Hands a frame (and its reference) to the caller.</summary>
    public void Emit(int pid, MediaFrame frame)
    {
        // Frames are only made inside Push and Flush, which set the output first.
        Output!.Add(new TsFrame(pid, frame));
        if (frame.Kind == TrackKind.Video)
        {
            Counters.VideoFrames++;
        }
        else
        {
            Counters.AudioFrames++;
        }
    }

    public long Unwrap(long timestamp33) => _clock.Unwrap(timestamp33);
}
