using System.Buffers;
using Microsoft.Extensions.Logging;
using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Mp4;
using OnAir.Streams;

namespace OnAir.Recording;

/// <summary>
/// Records one rendition: a subscriber of its feed with a loop of its own, so it never slows live
/// delivery (if it falls behind, its subscription drops frames up to the next keyframe, not the
/// publisher's). Frames become a fragmented MP4 file, media.mp4: the init segment, then a
/// fragment (moof + mdat) per segment's worth of media, cut at keyframes and flushed to disk as it
/// closes, so a crash loses at most the fragment being gathered.
/// </summary>
internal sealed class RenditionRecorder
{
    /// <summary>How long to wait for the second track before deciding the rendition has only one.</summary>
    private static readonly long s_probeTicks = MediaTime.TicksPerSecond;

    /// <summary>Frames held for new parameters before the fragment is cut regardless (about 20 s of AAC).</summary>
    private const int MaxHeldFrames = 1024;

    /// <summary>A fragment without a keyframe to end it is cut at this many fragment lengths.</summary>
    private const int MaxFragmentFactor = 5;

    /// <summary>How often the file is forced to the disk (fsync).</summary>
    private static readonly TimeSpan s_syncPeriod = TimeSpan.FromSeconds(10);

    /// <summary>How long frames gather between reads: well under the subscription's queue (about 10 s).</summary>
    private static readonly TimeSpan s_batchPeriod = TimeSpan.FromMilliseconds(250);

    /// <summary>A track's frames further apart than this are a break in the media, not a slow frame rate.</summary>
    private static readonly long s_breakTicks = MediaTime.FromMilliseconds(500);

    /// <summary>How far before a break's resume point the other track's first frame may start (audio and video do not start together).</summary>
    private static readonly long s_lateFrameTicks = MediaTime.FromMilliseconds(50);

    private readonly string _recordingId;
    private readonly Rendition _rendition;
    private readonly string _path;
    private readonly long _fragmentTicks;
    private readonly RecordingBudget _budget;
    private readonly ILogger _logger;
    private readonly RecordingMetrics? _metrics;
    private readonly Subscription _subscription;
    private readonly MediaBreaks _breaks;
    private readonly TimeProvider _time;
    private readonly bool _leads;
    private readonly List<MediaFrame> _pending = [];
    private readonly List<MediaFrame> _held = []; // frames with new parameters of a track that does not drive the cuts, until the next cut
    private readonly ArrayBufferWriter<byte> _buffer = new(256 * 1024);
    private FileStream? _file;
    private Fmp4FragmentWriter? _writer;
    private CodecConfig? _videoConfig;
    private CodecConfig? _audioConfig;
    private long _fragmentStartDts = long.MinValue;
    private long _lastDriverDts;
    private long _lastVideoDts = long.MinValue;
    private long _lastAudioDts = long.MinValue;
    private long _bytesWritten;
    private bool _breakBeforeNextFragment;
    private bool _parameterSetsDue; // the video parameters changed: the next keyframe carries them in band too
    private long _lastSync;
    private long _pausedTicks;
    private long _resumedAt = long.MinValue + s_lateFrameTicks;

    /// <param name="breaks">The broadcast's breaks: the leading recorder (source) finds them, the others follow them.</param>
    /// <param name="leads">Whether this recorder finds the breaks (the source) or follows them (a transcoded rung).</param>
    public RenditionRecorder(string recordingId, Rendition rendition, string path, double fragmentSeconds, RecordingBudget budget, MediaBreaks breaks, bool leads, TimeProvider time, ILogger logger, RecordingMetrics? metrics)
    {
        _time = time;
        _lastSync = time.GetTimestamp();
        _breaks = breaks;
        _leads = leads;
        _recordingId = recordingId;
        _rendition = rendition;
        _path = path;
        _fragmentTicks = MediaTime.FromSeconds(fragmentSeconds);
        _budget = budget;
        _logger = logger;
        _metrics = metrics;
        _subscription = rendition.Feed.Subscribe("recording");
    }

    public string Name => _rendition.Name;

    /// <summary>Why recording stopped before the feed ended (a full disk, the size limit, a codec change).</summary>
    public string? StoppedBecause { get; private set; }

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>Runs until the feed ends (the broadcast is over) or recording must stop.</summary>
    public async Task RunAsync()
    {
        using var subscription = _subscription;
        try
        {
            // A recording is not live: taking the frames that gathered every s_batchPeriod costs a
            // fraction of waking up for each one (the wake-ups were a third of a passthrough stream's CPU).
            while (StoppedBecause is null && await subscription.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
            {
                await Task.Delay(s_batchPeriod, _time).ConfigureAwait(false);
                while (StoppedBecause is null && subscription.TryRead(out var frame))
                {
                    OnFrame(frame);
                }
            }

            if (_writer is null && _pending.Count > 0)
            {
                Start(); // a broadcast shorter than the probe is recorded too
            }

            FlushFragment(endDts: 0);
            if (_held.Count > 0)
            {
                TakeHeldConfig();
                FlushFragment(endDts: 0);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Stop($"the disk refused a write ({ex.Message}); free space in {Path.GetDirectoryName(_path)} or lower recording.maxTotalMegabytes. Live delivery is unaffected");
        }
        finally
        {
            ReleasePending();
            _writer?.Dispose();
            CloseFile();
            if (subscription.DroppedFrames > 0)
            {
                RecordingLog.FramesDropped(_logger, _recordingId, _rendition.Name, subscription.DroppedFrames);
            }
        }
    }

    private void OnFrame(MediaFrame frame)
    {
        if (_writer is null)
        {
            _pending.Add(frame);
            if (Probed())
            {
                Start();
            }

            return;
        }

        try
        {
            Record(frame);
        }
        finally
        {
            frame.Release();
        }
    }

    /// <summary>Both tracks seen, or a second's worth of frames without the other one.</summary>
    private bool Probed()
    {
        var hasVideo = _pending.Exists(f => f.Kind == TrackKind.Video && f.IsKeyFrame);
        var hasAudio = _pending.Exists(f => f.Kind == TrackKind.Audio);
        return (hasVideo && hasAudio) || _pending[^1].Dts - _pending[0].Dts >= s_probeTicks;
    }

    private void Start()
    {
        var firstKey = _pending.Find(f => f.Kind == TrackKind.Video && f.IsKeyFrame);
        _videoConfig = firstKey?.Config;
        _audioConfig = _pending.Find(f => f.Kind == TrackKind.Audio)?.Config;
        if (_videoConfig is not VideoConfig && _audioConfig is not AacConfig)
        {
            ReleasePending();
            return; // nothing recordable yet: keep probing with the next frames
        }

        var video = _videoConfig as VideoConfig;
        var audio = _audioConfig as AacConfig;
        Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
        _file = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        if (!Append(Fmp4InitSegment.Create(video, audio)))
        {
            return;
        }

        _writer = new Fmp4FragmentWriter(hasVideo: video is not null);

        // The recording starts at the first keyframe: earlier video cannot be decoded, earlier audio would play before the picture.
        var start = firstKey?.Dts ?? long.MinValue;
        foreach (var frame in _pending)
        {
            if (frame.Dts >= start && StoppedBecause is null)
            {
                Record(frame);
            }

            frame.Release();
        }

        _pending.Clear();
    }

    private void Record(MediaFrame frame)
    {
        var isVideo = frame.Kind == TrackKind.Video;
        var config = isVideo ? _videoConfig : _audioConfig;
        if (config is null)
        {
            return; // a track that appeared after recording started: the init segment has no place for it
        }

        // A break in the media (a new publisher session, marked on its first frame, or a jump in the
        // source's time) ends the fragment at its last frames' own length, so no sample spans the
        // pause; a cut at a keyframe ends it where the next begins. A transcoded rendition breaks
        // only where the source did (or its encoder restarted): its own jumps are input the
        // transcoder dropped to keep up, holes kept in its timeline so it stays as long as the source.
        var drives = isVideo || _videoConfig is null;
        ref var lastOfTrack = ref isVideo ? ref _lastVideoDts : ref _lastAudioDts;
        if ((!_leads && _breaks.IsInside(frame.Dts)) || frame.Dts < _resumedAt - s_lateFrameTicks)
        {
            return; // a transcoder's filler for the pause, or a frame from before the last break arriving after it
        }

        if (_held.Count > 0 && frame.Kind == _held[0].Kind)
        {
            _held.Add(frame.AddRef()); // waits with the frames whose new parameters wait for the next cut
            if (_held.Count >= MaxHeldFrames)
            {
                FlushFragment(endDts: 0); // the cuts stopped coming (a track that ended): no more waiting
                TakeHeldConfig();
            }

            return;
        }

        // Found on the first frame past the break, audio or video; the other track's first frame past
        // it crosses the same break, which is taken once.
        var jumped = _leads && lastOfTrack != long.MinValue && frame.Dts - lastOfTrack > s_breakTicks;
        var lastOfAny = Math.Max(_lastVideoDts, _lastAudioDts);
        var followed = !_leads && lastOfTrack != long.MinValue && _breaks.Crossed(lastOfTrack, frame.Dts);
        var crossesTakenBreak = lastOfTrack < _resumedAt - s_lateFrameTicks && frame.Dts >= _resumedAt - s_lateFrameTicks;
        var breaks = (frame.Discontinuity || jumped || followed) && !crossesTakenBreak && lastOfAny != long.MinValue && frame.Dts > lastOfAny;
        if (!ReferenceEquals(frame.Config, config) && !ChangeConfig(frame, config, drives, atBreak: breaks || crossesTakenBreak))
        {
            return;
        }

        lastOfTrack = frame.Dts;
        if (breaks)
        {
            Break(frame.Dts, lastOfAny);
        }

        if (breaks || crossesTakenBreak)
        {
            // Each track's first frame after the break continues where the track's recording stopped.
            var end = _writer!.TrackEnd(frame.Kind);
            if (end != long.MinValue && frame.Dts > end)
            {
                _writer.CloseGap(frame.Kind, frame.Dts - end);
                if (drives)
                {
                    _pausedTicks = frame.Dts - end;
                }
            }
        }
        else if (drives && _writer!.HasFrames && (((!isVideo || frame.IsKeyFrame) && frame.Dts - _fragmentStartDts >= _fragmentTicks) || TooLong(frame.Dts) || (_held.Count > 0 && frame.IsKeyFrame)))
        {
            FlushFragment(frame.Dts);
            TakeHeldConfig();
        }

        if (!_writer!.Accepts(frame) || StoppedBecause is not null)
        {
            return; // time stepped back on this track: fMP4 cannot hold it, and the next fragment resumes cleanly
        }

        if (!_writer.HasFrames)
        {
            _fragmentStartDts = frame.Dts;
        }

        if (drives)
        {
            _lastDriverDts = frame.Dts;
        }

        if (_parameterSetsDue && isVideo && frame.IsKeyFrame && frame.Config is VideoConfig video)
        {
            // The new init segment describes them; ffmpeg's parser and its HLS reader keep the first, and find them here.
            _parameterSetsDue = false;
            var inBand = video.WithParameterSetsInBand(frame);
            _writer.Add(inBand);
            inBand.Release();
            return;
        }

        _writer.Add(frame);
    }

    /// <summary>
    /// An encoder whose keyframes are rarer than this (intra refresh, a huge GOP) gets fragments cut
    /// between keyframes: a fragment is held in memory until it is written, and one over the
    /// reader's sample limit could not be finalised.
    /// </summary>
    private bool TooLong(long dts) =>
        dts - _fragmentStartDts >= MaxFragmentFactor * _fragmentTicks || _writer!.FrameCount >= Fmp4FragmentReader.MaxSamplesPerFragment / 4;

    /// <summary>
    /// A break in the media at <paramref name="resumeDts"/>: the fragment before it ends at its last
    /// frames' own length, and each track's timeline closes up the pause at its first frame past it,
    /// so the MP4 and the VOD playlists play on without a hole (a player needs no discontinuity, and
    /// hls.js stalls at the end of a rendition whose tracks a discontinuity realigns); a marker in the
    /// file keeps where the pause was and how long. The source's recorder notes the break for the others.
    /// </summary>
    private void Break(long resumeDts, long lastDts)
    {
        FlushFragment(endDts: 0);
        TakeHeldConfig();
        _resumedAt = resumeDts;
        _breakBeforeNextFragment = _writer!.TrackEnd(TrackKind.Video) != long.MinValue || _writer.TrackEnd(TrackKind.Audio) != long.MinValue;
        _pausedTicks = 0;
        if (_leads)
        {
            _breaks.Add(lastDts, resumeDts);
        }
    }

    /// <param name="endDts">Where the fragment ends (the next fragment's first DTS), or 0 to give its last frame its usual length.</param>
    private void FlushFragment(long endDts)
    {
        if (_writer is null || !_writer.HasFrames || _file is null)
        {
            return;
        }

        _buffer.ResetWrittenCount();
        if (_breakBeforeNextFragment)
        {
            Fmp4BreakMarker.Write(_buffer, _pausedTicks);
            _breakBeforeNextFragment = false;
        }

        _writer.Flush(_buffer, endDts > _lastDriverDts ? endDts : 0);
        if (Append(_buffer.WrittenSpan))
        {
            _metrics?.FragmentWritten(_buffer.WrittenCount);
        }
    }

    /// <summary>
    /// New codec parameters on a track (an encoder's new settings: a publisher that came back
    /// reconfigured, or the transcoder's faster preset under load) get a new init segment, and the
    /// recording carries on; the finaliser gives the track a sample description per init segment.
    /// Every fragment must still start decodable and hold one sample description per track, so:
    /// the init goes in at once when the fragment being gathered holds nothing of this track yet (a
    /// publisher back with new audio settings, its video first); the fragment ends here first when
    /// this track drives the cuts (new video parameters come with a keyframe) or at a break; a track
    /// that does not drive them (audio beside video) has its frames held until the next cut.
    /// Another codec stops the recording of this rendition: its track cannot change what it holds.
    /// </summary>
    /// <returns>Whether the frame can be recorded now.</returns>
    private bool ChangeConfig(MediaFrame frame, CodecConfig config, bool drives, bool atBreak)
    {
        ref var current = ref frame.Kind == TrackKind.Video ? ref _videoConfig : ref _audioConfig;
        if (frame.Config.Record.Span.SequenceEqual(config.Record.Span))
        {
            current = frame.Config; // the same parameters in a new instance (a resumed session): later frames compare by reference
            return true;
        }

        if (frame.Config.GetType() != config.GetType())
        {
            FlushFragment(endDts: 0); // what came before the change is good media
            Stop($"the publisher's {frame.Kind.ToString().ToLowerInvariant()} codec changed ({config.CodecString} to {frame.Config.CodecString}); this recording ends at the change");
            return false;
        }

        if (_writer!.Holds(frame.Kind) && !drives && !atBreak)
        {
            _held.Add(frame.AddRef());
            return false;
        }

        if (_writer.Holds(frame.Kind))
        {
            FlushFragment(drives && !atBreak ? frame.Dts : 0);
        }

        return TakeConfig(frame.Config);
    }

    /// <summary>Makes <paramref name="config"/> its track's parameters from here on and writes the init segment that describes them.</summary>
    private bool TakeConfig(CodecConfig config)
    {
        var video = config.Kind == TrackKind.Video;
        var old = video ? _videoConfig! : _audioConfig!;
        (video ? ref _videoConfig : ref _audioConfig) = config;
        _parameterSetsDue |= video;
        if (StoppedBecause is not null || !Append(Fmp4InitSegment.Create(_videoConfig as VideoConfig, _audioConfig as AacConfig)))
        {
            return false;
        }

        RecordingLog.ConfigChanged(_logger, _recordingId, _rendition.Name, config.Kind.ToString().ToLowerInvariant(), old.CodecString, config.CodecString);
        return true;
    }

    /// <summary>After a cut: frames held for new parameters get their init segment, then open the new fragment.</summary>
    private void TakeHeldConfig()
    {
        if (_held.Count == 0)
        {
            return;
        }

        MediaFrame[] held = [.. _held];
        _held.Clear();
        var taken = TakeConfig(held[0].Config);
        foreach (var frame in held)
        {
            try
            {
                if (taken && StoppedBecause is null)
                {
                    Record(frame);
                }
            }
            finally
            {
                frame.Release();
            }
        }
    }

    /// <summary>
    /// Appends to the file what the size limit allows (false, and recording stops, when it does
    /// not), written through to the kernel at once: a killed server loses nothing written. Forced to
    /// the disk every s_syncPeriod: a power cut loses at most that much (an fsync per fragment cost
    /// more kernel time than the write). A failed write is cut off again, so the file ends where it did.
    /// </summary>
    private bool Append(ReadOnlySpan<byte> bytes)
    {
        if (!_budget.TryReserve(bytes.Length))
        {
            Stop(SizeLimitReason());
            return false;
        }

        var before = _file!.Position;
        try
        {
            _file.Write(bytes);
            if (_time.GetElapsedTime(_lastSync) >= s_syncPeriod)
            {
                _file.Flush(flushToDisk: true);
                _lastSync = _time.GetTimestamp();
            }
        }
        catch (IOException)
        {
            _budget.Adjust(-bytes.Length);
            TruncateTo(before);
            throw;
        }

        Interlocked.Add(ref _bytesWritten, bytes.Length);
        return true;
    }

    private string SizeLimitReason() =>
        $"recording.maxTotalMegabytes ({_budget.Limit / (1024 * 1024)} MiB) is reached and no finished recording is left to delete; raise it or delete recordings. Live delivery is unaffected";

    private void Stop(string reason)
    {
        if (StoppedBecause is not null)
        {
            return;
        }

        StoppedBecause = reason;
        _writer?.Discard();
        RecordingLog.Stopped(_logger, _recordingId, _rendition.Name, reason);
        _metrics?.Stopped();
    }

    private void TruncateTo(long length)
    {
        try
        {
            _file?.SetLength(length);
        }
        catch (IOException)
        {
            // The scan at finalisation stops at the partial fragment anyway.
        }
    }

    private void CloseFile()
    {
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // Nothing is buffered (every fragment was flushed); the scan at finalisation reads what is there.
        }

        _file = null;
    }

    private void ReleasePending()
    {
        foreach (var frame in _pending.Concat(_held))
        {
            frame.Release();
        }

        _pending.Clear();
        _held.Clear();
    }
}
