using Microsoft.Extensions.Logging;
using OnAir.Media;
using OnAir.Packaging.Hls.Containers;
using OnAir.Streams;
using OnAir.Streams.Diagnostics;

namespace OnAir.Packaging.Hls;

/// <summary>
/// Segments one rendition as live HLS: reads its feed, cuts segments on keyframes and, with LL-HLS,
/// parts within them. The stream's leading rendition (<c>source</c>) decides its cuts
/// (<see cref="SegmentCutPolicy"/>) and records them in the stream's <see cref="SegmentTimeline"/>;
/// the others follow it, so segment N is aligned across renditions. The bytes come from the
/// rendition's <see cref="ISegmentContainer"/> (fMP4 or MPEG-TS) through a <see cref="SegmentWriter"/>;
/// the playlists from its <see cref="PlaylistPublisher"/>. One loop owns all of this state; the origin
/// only sees immutable snapshots in <see cref="RenditionOutput"/>.
/// </summary>
internal sealed class RenditionPackager : IDisposable
{
    /// <summary>Idle time after the last frame before the leader lists gaps: a wake can race the first frame of a resumed session.</summary>
    private static readonly TimeSpan s_idleBeforeGap = TimeSpan.FromMilliseconds(500);

    /// <summary>A follower waits longer: when the source stops, its transcoder flushes what its encoders hold.</summary>
    private static readonly TimeSpan s_followerIdleBeforeGap = TimeSpan.FromSeconds(2);

    /// <summary>A gap shorter than this at resume is not worth a segment of its own.</summary>
    private static readonly long s_shortestGap = MediaTime.FromSeconds(0.1);

    private readonly Rendition _rendition;
    private readonly RenditionOutput _output;
    private readonly StreamOutput _stream;
    private readonly HlsOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>A frame dropped for a reason that lasts (a codec the segments cannot carry) is dropped 30 times a second: a few lines per interval, then a count.</summary>
    private readonly RepeatedWarning _dropWarnings;
    private readonly Action _variantChanged;
    private readonly SegmentCutPolicy _cutPolicy;
    private readonly SegmentTimeline _timeline;
    private readonly bool _leads;
    private readonly SegmentWriter _writer;
    private readonly PlaylistPublisher _playlist;
    private readonly List<MediaFrame> _pending = [];
    private readonly long _probeTicks;
    private readonly long _partTicks;

    private ISegmentContainer? _container;
    private string? _map; // the init segment (EXT-X-MAP) in force, fMP4 only
    private CodecConfig? _mapVideo;
    private CodecConfig? _mapAudio;
    private int _mapVersion;
    private bool _hasVideo;
    private bool _hasAudio;
    private bool _lateTrackLogged;
    private CodecConfig? _videoConfig;
    private CodecConfig? _audioConfig;
    private DateTimeOffset _anchorWallClock;
    private long _anchorDts;

    private bool _segmentOpen;
    private long _sequence;
    private long _segmentStartDts;
    private bool _segmentStartsWithKey;
    private int _segmentVideoFrames;
    private string _segmentFileName = "";
    private string _segmentPath = "";
    private DateTimeOffset _segmentProgramDateTime;
    private long _lastDts;
    private long _lastFrameInterval;
    private long _loggedDrops;
    private bool _producedSegment;
    private bool _misalignmentLogged;
    private bool _hasLastDts;
    private bool _discontinuityPending;
    private bool _segmentDiscontinuity;
    private readonly Subscription _subscription;

    // The LL-HLS part being written (see EndPartIfFull).
    private int _partIndex;
    private long _partStartDts;
    private bool _partStartsWithKey;
    private bool _partHasFrames;
    private int _partFrames; // frames of the track that drives the cuts

    private readonly PackagingMetrics? _metrics;
    private long _frameArrivedAt; // of the frame being packaged: a segment it closes is measured from there

    // Gaps while the publisher is away (see OnIdle).
    private long _lastFrameAt;
    private long? _gapStartDts;
    private double _gapSeconds;

    /// <param name="leads">Whether this rendition decides the stream's segment boundaries (<paramref name="timeline"/>) or follows them.</param>
    public RenditionPackager(Rendition rendition, RenditionOutput output, StreamOutput stream, SegmentTimeline timeline, bool leads, HlsOptions options, TimeProvider time, ILogger logger, Action variantChanged, PackagingMetrics? metrics = null)
    {
        _metrics = metrics;
        _timeline = timeline;
        _leads = leads;
        _rendition = rendition;
        _output = output;
        _stream = stream;
        _options = options;
        _time = time;
        _logger = logger;
        _variantChanged = variantChanged;
        _dropWarnings = new RepeatedWarning(time, (count, interval) => PackagingLog.FramesDroppedSuppressed(logger, stream.Name, rendition.Name, count, interval.TotalSeconds));
        _cutPolicy = new SegmentCutPolicy(options.TargetDurationSeconds, options.MaxTargetDurationSeconds);
        _probeTicks = MediaTime.FromSeconds(options.TrackProbeSeconds);
        _partTicks = MediaTime.FromSeconds(options.PartTargetSeconds);
        _writer = new SegmentWriter();
        _playlist = new PlaylistPublisher(output, stream, options);

        // The feed's GOP cache gives a reader subscribing now the latest keyframe on.
        _subscription = rendition.Feed.Subscribe("hls");
    }

    public Rendition Rendition => _rendition;

    /// <summary>Makes the loop check, between frames, whether gap segments are due (the publisher is away).</summary>
    public void Wake() => _subscription.Wake();

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var subscription = _subscription;
        try
        {
            // Here, on the rendition's own loop: whoever added the rendition holds a lock, and a lock is never held across I/O.
            Directory.CreateDirectory(_output.Directory);
            while (true)
            {
                var frame = await subscription.ReadAsync(cancellationToken).ConfigureAwait(false);
                if (frame is null)
                {
                    if (subscription.IsEnded)
                    {
                        break;
                    }

                    OnIdle();
                    continue;
                }

                if (!_leads && frame.Kind == TrackKind.Video)
                {
                    await WaitForLeaderAsync(frame, cancellationToken).ConfigureAwait(false);
                }

                OnFrame(frame);
            }

            Finish();
        }
        catch (OperationCanceledException)
        {
            Finish();
        }
        catch (Exception ex)
        {
            PackagingLog.Failed(_logger, ex, _stream.Name, _rendition.Name);
            try
            {
                Finish();
            }
            catch (Exception finishError) when (finishError is IOException or UnauthorizedAccessException)
            {
                // The disk that failed the segment may fail its playlist too; the error is logged above.
            }
        }
    }

    /// <summary>A follower decides a frame only once the leader has decided its own frames up to that time.</summary>
    private async ValueTask WaitForLeaderAsync(MediaFrame frame, CancellationToken cancellationToken)
    {
        try
        {
            await _timeline.WaitForLeaderAsync(frame.Pts, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            frame.Release();
            throw;
        }
    }

    public void Dispose()
    {
        ReleasePending();
        _container?.Dispose();
        _writer.Dispose();
        _dropWarnings.Dispose();
    }

    private void OnFrame(MediaFrame frame)
    {
        if (_container is not null)
        {
            Package(frame);
            return;
        }

        // Start-up: begin at a video keyframe with the audio that follows, or audio-only when no
        // video comes within the probe time. Pending frames are bounded by the probe time.
        var pendingVideo = _pending.Count > 0 && _pending[0].Kind == TrackKind.Video;
        if (frame.Kind == TrackKind.Video && !pendingVideo)
        {
            if (!frame.IsKeyFrame || (!_leads && MatchingBoundary(frame) is null))
            {
                frame.Release();
                return;
            }

            var audioSeen = _pending.Count > 0;
            _audioConfig = _pending.FindLast(f => f.Kind == TrackKind.Audio)?.Config ?? _audioConfig; // the init segment needs it before the next audio frame
            ReleasePending(); // audio before the first keyframe precedes the first picture
            _pending.Add(frame);
            if (audioSeen)
            {
                Start(hasVideo: true, hasAudio: true);
            }

            return;
        }

        _pending.Add(frame);
        if (pendingVideo && frame.Kind == TrackKind.Audio)
        {
            Start(hasVideo: true, hasAudio: true);
        }
        else if (frame.Dts - _pending[0].Dts >= _probeTicks)
        {
            Start(hasVideo: pendingVideo, hasAudio: !pendingVideo);
        }
    }

    private void Start(bool hasVideo, bool hasAudio)
    {
        _hasVideo = hasVideo;
        _hasAudio = hasAudio;
        _videoConfig = hasVideo ? _pending.Find(f => f.Kind == TrackKind.Video)?.Config : null;
        _audioConfig = hasAudio ? _pending.Find(f => f.Kind == TrackKind.Audio)?.Config ?? _audioConfig : null;
        _container = _options.UsesFmp4 ? new Fmp4SegmentContainer(hasVideo) : new TsSegmentContainer(_videoConfig as VideoConfig, hasAudio);
        _output.SegmentContentType = _container.ContentType;
        if (_options.LowLatency)
        {
            // The playlist is served from its first part, before any segment closed.
            _cutPolicy.FixTargetDuration();
            if (_leads)
            {
                _timeline.SetTargetDuration(_cutPolicy.TargetDuration!.Value);
            }
        }

        _anchorWallClock = _time.GetUtcNow();
        _anchorDts = _pending[0].Dts;
        PackagingLog.Started(_logger, _stream.Name, _rendition.Name, hasVideo, hasAudio);
        // Taken out of _pending first: if packaging fails (a disk error), Finish must not release them twice.
        MediaFrame[] pending = [.. _pending];
        _pending.Clear();
        for (var i = 0; i < pending.Length; i++)
        {
            try
            {
                Package(pending[i]);
            }
            catch
            {
                foreach (var rest in pending.AsSpan(i + 1))
                {
                    rest.Release();
                }

                throw;
            }
        }
    }

    private void Package(MediaFrame frame)
    {
        _frameArrivedAt = frame.ArrivedAt;
        try
        {
            var isVideo = frame.Kind == TrackKind.Video;
            if (isVideo ? !_hasVideo : !_hasAudio)
            {
                LogLateTrack(isVideo ? "video" : "audio");
                return;
            }

            if (isVideo)
            {
                _videoConfig = frame.Config;
            }
            else
            {
                _audioConfig = frame.Config;
            }

            var drivesCuts = isVideo || !_hasVideo;
            if (_segmentOpen && _map is not null && !MapFits(frame))
            {
                // New codec parameters need a new init segment, which a segment cannot change midway.
                StartNewTimeline(frame, jumped: false);
            }
            else if (frame.Discontinuity && _hasLastDts)
            {
                StartNewTimeline(frame, jumped: false);
            }
            else if (drivesCuts && _hasLastDts && IsTimestampJump(frame.Dts))
            {
                StartNewTimeline(frame, jumped: true);
            }
            else if (!drivesCuts && _hasLastDts && IsTimestampJump(frame.Dts))
            {
                return; // audio already on the publisher's restarted clock: the new timeline starts at the next keyframe
            }

            if (!_container!.Accepts(frame))
            {
                // fMP4 derives sample times from durations: a frame that does not come after the last one of its
                // track cannot be written. Dropped before it changes any segment or part state.
                LogDropped($"{frame} does not come after the previous {frame.Kind} frame");
                return;
            }

            if (!_leads)
            {
                if (!Follow(frame, isVideo))
                {
                    return;
                }
            }
            else if (!_segmentOpen)
            {
                if (_hasVideo && !(isVideo && frame.IsKeyFrame))
                {
                    return; // after a break in the media the next segment starts with a keyframe
                }

                EndGap(frame.Dts);
                OpenSegment(frame);
                if (drivesCuts)
                {
                    _cutPolicy.Observe(frame.Dts, frame.IsKeyFrame, frame.Dts);
                }
            }
            else if (drivesCuts)
            {
                var decision = _cutPolicy.Decide(frame.Dts, frame.IsKeyFrame, _segmentStartDts);
                if (decision != CutDecision.Continue)
                {
                    CloseSegment(frame.Dts, continues: true);
                    if (decision == CutDecision.ForceCut)
                    {
                        PackagingLog.ForcedCut(_logger, _stream.Name, _rendition.Name, _cutPolicy.TargetDuration ?? _options.MaxTargetDurationSeconds, _sequence);
                    }

                    OpenSegment(frame);
                }
            }

            if (drivesCuts)
            {
                if (_leads && isVideo)
                {
                    _timeline.Advance(frame.Pts);
                }

                if (_hasLastDts && frame.Dts > _lastDts)
                {
                    _lastFrameInterval = frame.Dts - _lastDts;
                }

                _lastDts = frame.Dts;
                _hasLastDts = true;
                _lastFrameAt = _time.GetTimestamp();
                if (_options.LowLatency && _partHasFrames && frame.Dts - _partStartDts > _partTicks)
                {
                    // Frames went missing (a variable frame rate, drops): the part ends at its target, never past it.
                    EndPartAndPublish(_partStartDts + _partTicks);
                }
                else if (_options.LowLatency && !_container!.HoldsFrames && _partHasFrames && frame.Dts + PartFrameInterval(frame.Dts, _partFrames) - _partStartDts > _partTicks)
                {
                    // MPEG-TS writes frames as they come: the part ends before the frame that would overflow it.
                    EndPartAndPublish(frame.Dts);
                }

                if (!_partHasFrames)
                {
                    BeginPart(frame);
                }
                else
                {
                    _partFrames++;
                }
            }

            if (isVideo)
            {
                _segmentVideoFrames++;
            }

            _container!.Write(frame, _writer);
            if (drivesCuts && _options.LowLatency && _container.HoldsFrames)
            {
                // fMP4 holds the part's frames: it ends right after its last one, listed a frame interval
                // sooner than waiting for the next frame would. The audio that follows goes into the next part.
                var interval = PartFrameInterval(frame.Dts, _partFrames - 1);
                if (frame.Dts + (2 * interval) - _partStartDts > _partTicks)
                {
                    EndPartAndPublish(frame.Dts + interval);
                }
            }
        }
        catch (InvalidMediaException ex)
        {
            LogDropped(ex.Message);
        }
        finally
        {
            _frameArrivedAt = 0;
            frame.Release();
        }
    }

    private void LogDropped(string reason)
    {
        if (_dropWarnings.ShouldLog())
        {
            PackagingLog.FrameDropped(_logger, _stream.Name, _rendition.Name, reason);
        }
    }

    /// <summary>A jump backwards, or forwards by more than a segment could span: the encoder restarted its clock.</summary>
    private bool IsTimestampJump(long dts) =>
        dts < _lastDts - MediaTime.TicksPerSecond
        || dts > _lastDts + MediaTime.FromSeconds(_options.MaxTargetDurationSeconds + 5);

    /// <summary>
    /// A follower cuts where the leader did: at its keyframe matching the leader's next boundary,
    /// numbered like it. Returns false for a frame before the first boundary it can start at (dropped).
    /// </summary>
    private bool Follow(MediaFrame frame, bool isVideo)
    {
        if (!_segmentOpen)
        {
            if (!isVideo || !frame.IsKeyFrame || MatchingBoundary(frame) is not { } start)
            {
                return false;
            }

            OpenAtBoundary(frame, start);
            return true;
        }

        if (!isVideo || _timeline.LatestAt(frame.Pts, _sequence) is not { } next)
        {
            return true;
        }

        // The leader's cut is due here. At a keyframe as a rule; a frame past the boundary without
        // one (the transcoder lost it) is cut anyway so no segment outgrows the target duration.
        var missedKeyFrame = frame.Pts > next.Pts + SegmentTimeline.MatchTolerance;
        if (frame.IsKeyFrame || (!next.IsKeyFrame && frame.Pts >= next.Pts) || missedKeyFrame)
        {
            if (missedKeyFrame && !_misalignmentLogged)
            {
                _misalignmentLogged = true;
                PackagingLog.Misaligned(_logger, _stream.Name, _rendition.Name, next.Sequence, MediaTime.ToSeconds(frame.Pts - next.Pts));
            }

            CloseSegment(frame.Dts, continues: true);
            OpenAtBoundary(frame, next);
        }

        return true;
    }

    /// <summary>The leader's boundary a follower's keyframe can open a segment at, if any.</summary>
    private SegmentBoundary? MatchingBoundary(MediaFrame keyFrame)
    {
        var after = _producedSegment ? _sequence - 1 : long.MinValue;
        return _timeline.LatestAt(keyFrame.Pts, after) is { } boundary && keyFrame.Pts >= boundary.Pts - SegmentTimeline.MatchTolerance && keyFrame.Pts <= boundary.Pts + SegmentTimeline.MatchTolerance
            ? boundary
            : null;
    }

    /// <summary>Opens segment <paramref name="boundary"/>.Sequence; segments skipped since the last one are listed as gaps.</summary>
    private void OpenAtBoundary(MediaFrame first, SegmentBoundary boundary)
    {
        if (_producedSegment)
        {
            for (var missing = _sequence; missing < boundary.Sequence; missing++)
            {
                AddGap(missing);
            }
        }

        _sequence = boundary.Sequence;
        OpenSegment(first, boundary.ProgramDateTime + MediaTime.ToTimeSpan(first.Pts - boundary.Pts));
    }

    private void AddGap(long sequence)
    {
        if (!_timeline.TryGetSpan(sequence, out var start, out var endPts))
        {
            return;
        }

        ListGap(sequence, start.Pts, endPts - start.Pts, start.ProgramDateTime);
    }

    /// <summary>Lists segment <paramref name="sequence"/> as EXT-X-GAP: no file, and the media after it starts behind a discontinuity.</summary>
    private void ListGap(long sequence, long start, long length, DateTimeOffset programDateTime)
    {
        var gap = new SegmentInfo(sequence, SegmentName(sequence), "", start, MediaTime.ToSeconds(length), 0, programDateTime, false, 0, Gap: true, Map: _map);
        _metrics?.SegmentListed(gap: true);
        _discontinuityPending = true; // the media after a gap does not continue the media before it
        _playlist.Add(gap, _time.GetUtcNow());
    }

    /// <summary>
    /// Woken while the publisher is away. The leader closes its last segment and lists a gap segment
    /// for every target duration of wall-clock time that passes, so players hold their place at the
    /// live edge instead of stalling; followers list the leader's gaps (and the segments they never
    /// got media for) once their transcoder has had time to flush.
    /// </summary>
    private void OnIdle()
    {
        if (_container is null || _lastFrameAt == 0)
        {
            return;
        }

        var idle = _time.GetElapsedTime(_lastFrameAt);
        if (_leads)
        {
            ListLeaderGaps(idle);
        }
        else
        {
            FollowLeaderGaps(idle);
        }
    }

    private void ListLeaderGaps(TimeSpan idle)
    {
        if (idle < s_idleBeforeGap)
        {
            return; // a wake can come just before the first frame of a resumed session
        }

        if (_gapStartDts is null)
        {
            var end = _lastDts + _lastFrameInterval;
            if (_segmentOpen)
            {
                CloseSegment(end);
            }

            _gapStartDts = end;
            _gapSeconds = 0;
            PackagingLog.GapStarted(_logger, _stream.Name, _rendition.Name, _sequence - 1);
        }

        if (TargetDuration is null)
        {
            return;
        }

        var now = _lastDts + MediaTime.FromSeconds(idle.TotalSeconds);
        var length = GapLength;
        var listed = false;
        while (now - _gapStartDts.Value >= length)
        {
            AddLeaderGap(_gapStartDts.Value, length);
            _gapStartDts += length;
            listed = true;
        }

        if (listed)
        {
            Publish(ended: false);
        }
    }

    private void FollowLeaderGaps(TimeSpan idle)
    {
        if (idle < s_followerIdleBeforeGap || TargetDuration is null || !(_producedSegment || _segmentOpen))
        {
            return;
        }

        if (_segmentOpen)
        {
            if (_timeline.LatestAt(long.MaxValue / 2, _sequence) is null)
            {
                return; // the leader has not moved past this segment yet
            }

            CloseSegment(_lastDts + _lastFrameInterval);
        }

        var listed = false;
        for (; _timeline.TryGetSpan(_sequence, out _, out _); _sequence++)
        {
            AddGap(_sequence);
            listed = true;
        }

        if (listed)
        {
            _hasLastDts = false; // the media after the gap is measured afresh, not against what came before it
            Publish(ended: false);
        }
    }

    /// <summary>Gap segments last the configured target duration (never more than EXT-X-TARGETDURATION).</summary>
    private long GapLength => MediaTime.FromSeconds(Math.Min(_options.TargetDurationSeconds, TargetDuration ?? _options.TargetDurationSeconds));

    /// <summary>Leader: one gap segment on the stream's timeline, a boundary followers list too.</summary>
    private void AddLeaderGap(long startDts, long length)
    {
        var programDateTime = _anchorWallClock + MediaTime.ToTimeSpan(startDts - _anchorDts);
        _timeline.AddBoundary(new SegmentBoundary(_sequence, startDts, IsKeyFrame: false, programDateTime));
        _timeline.Advance(startDts + length);
        ListGap(_sequence, startDts, length, programDateTime);
        _sequence++;
        _producedSegment = true;
        _gapSeconds += MediaTime.ToSeconds(length);
    }

    /// <summary>Media is back at <paramref name="resumeDts"/>: the time since the last gap segment is listed as one more.</summary>
    private void EndGap(long resumeDts)
    {
        if (_gapStartDts is not { } start)
        {
            return;
        }

        _gapStartDts = null;
        while (resumeDts - start >= s_shortestGap)
        {
            var length = Math.Min(resumeDts - start, GapLength);
            AddLeaderGap(start, length);
            start += length;
        }

        PackagingLog.GapEnded(_logger, _stream.Name, _rendition.Name, _gapSeconds, _sequence);
    }

    /// <summary>Closes the segment of the old timeline; the next one is marked EXT-X-DISCONTINUITY.</summary>
    private void StartNewTimeline(MediaFrame first, bool jumped)
    {
        if (jumped)
        {
            PackagingLog.TimestampJump(_logger, _stream.Name, _rendition.Name, MediaTime.ToSeconds(_lastDts), MediaTime.ToSeconds(first.Dts));
        }

        if (_segmentOpen)
        {
            CloseSegment(_lastDts + _lastFrameInterval);
        }

        _container!.BreakTimeline();
        _discontinuityPending = true;
        _cutPolicy.ResetTimeline();
        if (jumped)
        {
            // The publisher's clock restarted: its timestamps say nothing about wall time any more.
            // A marked discontinuity (a resumed session, skipped transcoder input) is already placed
            // on the stream's one timeline, so program date-times stay continuous across it.
            _anchorWallClock = _time.GetUtcNow();
            _anchorDts = first.Dts;
        }

        _hasLastDts = false;
    }

    private void OpenSegment(MediaFrame first, DateTimeOffset? programDateTime = null)
    {
        UpdateMap();
        _segmentFileName = SegmentName(_sequence);
        _segmentPath = Path.Combine(_output.Directory, _segmentFileName);
        _writer.Open(_segmentPath);
        _container!.BeginSegment(_writer);
        _segmentOpen = true;
        _partIndex = 0;
        _partHasFrames = false;
        _segmentStartDts = first.Dts;
        _segmentStartsWithKey = first.IsKeyFrame;
        _segmentVideoFrames = 0;
        _segmentDiscontinuity = _discontinuityPending;
        _discontinuityPending = false;
        _segmentProgramDateTime = programDateTime ?? _anchorWallClock + MediaTime.ToTimeSpan(first.Dts - _anchorDts);
        if (_leads)
        {
            _timeline.AddBoundary(new SegmentBoundary(_sequence, first.Pts, first.IsKeyFrame, _segmentProgramDateTime));
        }

        _playlist.BeginSegment(_sequence, new OpenSegment(_segmentProgramDateTime, _segmentDiscontinuity, _map));
    }

    private string SegmentName(long sequence) => $"{_stream.StreamId}-{sequence}.{_container?.Extension ?? "ts"}";

    /// <summary>Whether the init segment in force describes this frame's codec parameters.</summary>
    private bool MapFits(MediaFrame frame)
    {
        ref var mapped = ref frame.Kind == TrackKind.Video ? ref _mapVideo : ref _mapAudio;
        if (!SameConfig(mapped, frame.Config))
        {
            return false;
        }

        mapped = frame.Config; // an equal record in a new instance (a resumed session): later frames compare by reference
        return true;
    }

    private static bool SameConfig(CodecConfig? a, CodecConfig? b) =>
        a == b || (a is not null && b is not null && a.Record.Span.SequenceEqual(b.Record.Span));

    /// <summary>fMP4: a segment opens with the init segment of the codec parameters in force, written when they changed.</summary>
    private void UpdateMap()
    {
        if (_map is not null && SameConfig(_mapVideo, _videoConfig) && SameConfig(_mapAudio, _audioConfig))
        {
            return;
        }

        if (_container!.CreateInitSegment(_videoConfig, _audioConfig) is not { } init)
        {
            return; // MPEG-TS: the tables are in every segment
        }

        _map = $"{_stream.StreamId}-init{_mapVersion++}.mp4";
        _mapVideo = _videoConfig;
        _mapAudio = _audioConfig;
        _output.AddInitSegment(_map, init);
        if (_mapVersion > 1)
        {
            _segmentDiscontinuity = true; // the decoder is set up afresh
            _discontinuityPending = true;
        }
    }

    private void BeginPart(MediaFrame first)
    {
        _partStartDts = first.Dts;
        _partStartsWithKey = first.IsKeyFrame;
        _partHasFrames = true;
        _partFrames = 1;
    }

    /// <summary>The expected duration of the next frame of the track that drives the cuts.</summary>
    /// <summary>
    /// The expected duration of the next frame: the average over the <paramref name="intervals"/> frame
    /// intervals of the part up to <paramref name="dts"/> (millisecond timestamps alternate 33 and 34 ms
    /// at 30 fps, and the last one alone would mispredict), else the last interval seen.
    /// </summary>
    private long PartFrameInterval(long dts, int intervals) =>
        intervals > 0 && dts > _partStartDts ? (dts - _partStartDts) / intervals
        : _lastFrameInterval > 0 ? _lastFrameInterval
        : MediaTime.TicksPerSecond / 30;

    /// <summary>Every part fits PART-TARGET, and all but a segment's last reach most of it (one more frame would overflow it).</summary>
    private void EndPartAndPublish(long endDts)
    {
        EndPart(endDts);
        Publish(ended: false, segmentClosed: false);
        if (_frameArrivedAt != 0)
        {
            _metrics?.PartPublishDelay(_time.GetElapsedTime(_frameArrivedAt));
        }
    }

    private void EndPart(long endDts)
    {
        _container!.EndPart(_writer, endDts);
        var (offset, length) = _writer.EndPart();
        var name = $"{_stream.StreamId}-{_sequence}.{_partIndex}.{_container.Extension}";
        _playlist.AddPart(new PartInfo(_sequence, _partIndex, name, MediaTime.ToSeconds(endDts - _partStartDts), _partStartsWithKey, _segmentPath, offset, length));
        _partIndex++;
        _partHasFrames = false;
    }

    /// <param name="continues">Whether the next segment continues this one's media (a cut), or the media breaks here (gap, new timeline, end).</param>
    private void CloseSegment(long endDts, bool continues = false)
    {
        if (!_options.LowLatency)
        {
            _container!.EndPart(_writer, endDts);
        }
        else if (_partHasFrames)
        {
            EndPart(endDts);
        }

        if (!continues)
        {
            _container!.BreakTimeline(); // held audio after the last part is dropped where the media breaks anyway
        }

        _writer.Close();
        _segmentOpen = false;
        _partHasFrames = false;
        var duration = MediaTime.ToSeconds(endDts - _segmentStartDts);
        var segment = new SegmentInfo(
            _sequence,
            _segmentFileName,
            _segmentPath,
            _segmentStartDts,
            duration,
            _writer.BytesWritten,
            _segmentProgramDateTime,
            _segmentStartsWithKey,
            _segmentVideoFrames,
            _segmentDiscontinuity,
            Map: _map);
        _sequence++;
        _producedSegment = true;

        if (TargetDuration is null)
        {
            _cutPolicy.OnSegmentClosed(duration);
            PackagingLog.TargetDurationFixed(_logger, _stream.Name, _rendition.Name, _cutPolicy.TargetDuration!.Value, duration);
            if (_leads)
            {
                _timeline.SetTargetDuration(_cutPolicy.TargetDuration.Value);
            }
        }

        var now = _time.GetUtcNow();
        _playlist.Add(segment, now);
        Publish(ended: false);
        _metrics?.SegmentListed(gap: false);
        if (_frameArrivedAt != 0)
        {
            _metrics?.PublishDelay(_time.GetElapsedTime(_frameArrivedAt));
        }

        _output.DeleteExpired(now, TimeSpan.FromSeconds(_options.SegmentRetentionSeconds));
        ReportDrops();
    }

    /// <summary>EXT-X-TARGETDURATION: a follower states its leader's, so every rendition's playlist agrees.</summary>
    private int? TargetDuration => (_leads ? null : _timeline.TargetDuration) ?? _cutPolicy.TargetDuration;

    /// <param name="segmentClosed">False when only a part was added: the master playlist and the playlist file on disk wait for the segment.</param>
    private void Publish(bool ended, bool segmentClosed = true)
    {
        // The next part is hinted while media flows; during a gap there is nothing to hint.
        var hint = _options.LowLatency && _gapStartDts is null && !ended
            ? $"{_stream.StreamId}-{_sequence}.{(_segmentOpen ? _partIndex : 0)}.{_container!.Extension}"
            : null;
        var firstPublish = _output.Snapshot is null;
        // The open segment's frame rate counts intervals between its first and last frame: N frames span N - 1 of them.
        var open = _segmentOpen ? new OpenSegmentMeasure(_writer.BytesWritten, MediaTime.ToSeconds(_lastDts - _segmentStartDts), Math.Max(0, _segmentVideoFrames - 1)) : default;
        var variant = segmentClosed || firstPublish ? VariantMeter.Measure(_rendition.Name, _playlist.Window, open, _videoConfig, _audioConfig) : null;
        _playlist.Publish(TargetDuration!.Value, variant, hint, ended, segmentClosed);
        if (variant is not null)
        {
            _variantChanged();
        }
    }

    private void Finish()
    {
        if (_container is null && _pending.Count > 0)
        {
            // A stream shorter than the track probe still gets its playlist.
            Start(hasVideo: _pending.Exists(f => f.Kind == TrackKind.Video), hasAudio: _pending.Exists(f => f.Kind == TrackKind.Audio));
        }

        ReleasePending();
        if (_segmentOpen)
        {
            // The last frame lasts as long as the one before it.
            CloseSegment(_lastDts + _lastFrameInterval);
        }

        if (TargetDuration is not null)
        {
            Publish(ended: true);
        }

        if (_leads)
        {
            _timeline.Complete();
        }

        PackagingLog.Ended(_logger, _stream.Name, _rendition.Name, _sequence);
    }

    /// <summary>Drops are summarised once per segment, not logged per frame.</summary>
    private void ReportDrops()
    {
        var dropped = _subscription.DroppedFrames;
        if (dropped > _loggedDrops)
        {
            _loggedDrops = dropped;
            PackagingLog.SubscriberDrops(_logger, _stream.Name, _rendition.Name, dropped);
        }
    }

    private void LogLateTrack(string track)
    {
        if (!_lateTrackLogged)
        {
            _lateTrackLogged = true;
            PackagingLog.LateTrack(_logger, _stream.Name, _rendition.Name, track);
        }
    }

    private void ReleasePending()
    {
        foreach (var frame in _pending)
        {
            frame.Release();
        }

        _pending.Clear();
    }
}
