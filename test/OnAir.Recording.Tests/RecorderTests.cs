using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using OnAir.Media;
using OnAir.Media.Mp4;
using OnAir.Streams;
using OnAir.Testing;

namespace OnAir.Recording.Tests;

/// <summary>
/// What a recording holds, checked with ffprobe and ffmpeg: every frame published, a pause closed
/// up and counted (in every rendition at the same point), new codec parameters carried on with a
/// new init segment, the size limit and another codec stopping it with a reason, and a crash's
/// partial fragment cut off by the repair.
/// </summary>
public class RecorderTests
{
    private const string Vector = "h264-aac-320x240-2s.flv";
    private const string UltrafastVector = "h264-aac-320x240-2s-ultrafast.flv";
    private const string MonoAudioVector = "h264-aac44100mono-320x240-2s.flv";

    [Fact]
    public async Task Every_frame_published_is_in_the_mp4_and_the_vod_playlist_covers_it()
    {
        using var vector = VectorFrames.Read(Vector);
        using var run = new RecordingRun();
        var length = VectorLength(vector);
        for (var i = 0; i < 3; i++)
        {
            run.Write(vector.Frames, shift: i * length);
        }

        var info = await run.FinishAsync();
        Assert.Equal(RecordingState.Ready, info.State);
        var mp4 = run.WriteProgressive(info);
        var packets = await PacketsAsync(mp4);
        foreach (var kind in new[] { TrackKind.Video, TrackKind.Audio })
        {
            Assert.Equal(3 * vector.Frames.Count(f => f.Kind == kind), packets.Count(p => p.Kind == kind));
        }

        Assert.True(packets.First(p => p.Kind == TrackKind.Video).Key, "the recording starts on a keyframe");
        await AssertDecodesAsync(mp4);
        var playlist = run.Playlist(info);
        Assert.Contains("#EXT-X-PLAYLIST-TYPE:VOD", playlist, StringComparison.Ordinal);
        Assert.EndsWith("#EXT-X-ENDLIST\n", playlist, StringComparison.Ordinal);
        Assert.InRange(info.DurationSeconds, (3 * MediaTime.ToSeconds(length)) - 0.2, (3 * MediaTime.ToSeconds(length)) + 0.1);
    }

    [Fact]
    public async Task A_publisher_pause_is_closed_up_in_the_timeline_and_counted()
    {
        using var vector = VectorFrames.Read(Vector);
        using var run = new RecordingRun();
        var length = VectorLength(vector);
        var pause = MediaTime.FromSeconds(5);
        run.Write(vector.Frames);
        run.Write(vector.Frames, shift: length + pause, newSession: true);

        var info = await run.FinishAsync();
        Assert.Equal(1, info.Breaks);
        Assert.InRange(info.PausedSeconds, 4.9, 5.1);
        Assert.InRange(info.DurationSeconds, (2 * MediaTime.ToSeconds(length)) - 0.2, (2 * MediaTime.ToSeconds(length)) + 0.1);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY", run.Playlist(info), StringComparison.Ordinal);
        var packets = await PacketsAsync(run.WriteProgressive(info));
        foreach (var kind in new[] { TrackKind.Video, TrackKind.Audio })
        {
            var times = packets.Where(p => p.Kind == kind).Select(p => p.Dts).ToList();
            var largestStep = times.Zip(times.Skip(1), (a, b) => b - a).Max();
            Assert.True(largestStep < 0.15, $"{kind}: no hole where the publisher paused (largest step {largestStep} s)");
        }
    }

    [Fact]
    public async Task A_transcoded_rendition_drops_the_filler_of_the_pause_and_closes_it_where_the_source_did()
    {
        using var vector = VectorFrames.Read(Vector);
        using var run = new RecordingRun(sizeLimit: null, Rendition.SourceName, "low");
        var length = VectorLength(vector);
        var pause = MediaTime.FromSeconds(4);
        run.Write(vector.Frames);
        run.Write(vector.Frames, shift: length + pause, newSession: true);
        await Eventually.TrueAsync(() => run.Feeds[Rendition.SourceName].QueuedFrames == 0, "the source's recorder has seen the pause");

        // The rung's ffmpeg fills the pause with repeated frames, without a marked session.
        run.Write(vector.Frames, rendition: "low");
        run.Write(vector.Frames, shift: length + MediaTime.FromSeconds(1), rendition: "low");
        run.Write(vector.Frames, shift: length + pause, rendition: "low");

        var info = await run.FinishAsync();
        var low = info.Renditions.Single(r => r.Name == "low");
        Assert.InRange(low.DurationSeconds, info.DurationSeconds - 0.1, info.DurationSeconds + 0.1);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY", run.Playlist(info, "low"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_transcoded_rendition_keeps_the_input_its_transcoder_dropped_as_a_hole_and_stays_in_sync_with_the_source()
    {
        using var vector = VectorFrames.Read(Vector);
        using var run = new RecordingRun(sizeLimit: null, Rendition.SourceName, "low");
        var length = VectorLength(vector);
        run.Write(vector.Frames);
        run.Write(vector.Frames, shift: length);
        run.Write(vector.Frames, shift: 2 * length);
        await Eventually.TrueAsync(() => run.Feeds[Rendition.SourceName].QueuedFrames == 0, "the source's recorder has seen its frames"); // as a rung's come after them

        // The rung's transcoder fell behind and dropped a second of input, video and audio (degradation level 3).
        var start = vector.Frames.Min(f => f.Dts);
        var (holeFrom, holeTo) = (start + length + MediaTime.FromSeconds(0.6), start + length + MediaTime.FromSeconds(1.6));
        run.Write(vector.Frames, rendition: "low");
        run.Write(vector.Frames.Where(f => f.Dts + length < holeFrom || f.Dts + length >= holeTo), shift: length, rendition: "low");
        run.Write(vector.Frames, shift: 2 * length, rendition: "low");
        var dropped = vector.Frames.Count(f => f.Kind == TrackKind.Video && f.Dts + length >= holeFrom && f.Dts + length < holeTo);

        var info = await run.FinishAsync();
        var low = info.Renditions.Single(r => r.Name == "low");
        Assert.Equal(0, info.Breaks);
        Assert.InRange(low.DurationSeconds, info.DurationSeconds - 0.1, info.DurationSeconds + 0.1);
        Assert.DoesNotContain("#EXT-X-DISCONTINUITY", run.Playlist(info, "low"), StringComparison.Ordinal);

        // In the MP4: the hole is there (the frame before it held), and both tracks end where the source's do.
        var source = await PacketsAsync(run.WriteProgressive(info, Rendition.SourceName));
        var rung = await PacketsAsync(run.WriteProgressive(info, "low"));
        Assert.Equal(source.Count(p => p.Kind == TrackKind.Video) - dropped, rung.Count(p => p.Kind == TrackKind.Video));
        foreach (var kind in new[] { TrackKind.Video, TrackKind.Audio })
        {
            var end = source.Where(p => p.Kind == kind).Max(p => p.Dts);
            Assert.InRange(rung.Where(p => p.Kind == kind).Max(p => p.Dts), end - 0.05, end + 0.05);
        }

        var times = rung.Where(p => p.Kind == TrackKind.Video).Select(p => p.Dts).ToList();
        Assert.InRange(times.Zip(times.Skip(1), (a, b) => b - a).Max(), 0.9, 1.1);
    }

    [Fact]
    public async Task The_size_limit_stops_the_recording_with_its_reason_and_keeps_what_fitted()
    {
        using var vector = VectorFrames.Read(Vector);
        var vectorBytes = vector.Frames.Sum(f => (long)f.Payload.Length);
        using var run = new RecordingRun(sizeLimit: vectorBytes * 2);
        var length = VectorLength(vector);
        for (var i = 0; i < 5; i++)
        {
            run.Write(vector.Frames, shift: i * length);
        }

        var info = await run.FinishAsync();
        Assert.Contains("recording.maxTotalMegabytes", info.Error, StringComparison.Ordinal);
        Assert.Equal(RecordingState.Ready, info.State);
        Assert.InRange(info.DurationSeconds, 1, 4.5);
        Assert.True(run.Budget.Used <= vectorBytes * 2, $"{run.Budget.Used} bytes used under a limit of {vectorBytes * 2}");
        await AssertDecodesAsync(run.WriteProgressive(info));
    }

    [Fact]
    public async Task Without_keyframes_a_fragment_is_still_cut_after_five_times_its_length()
    {
        using var vector = VectorFrames.Read(Vector);
        using var run = new RecordingRun();
        var length = VectorLength(vector);
        run.Write(vector.Frames);
        for (var i = 1; i < 8; i++)
        {
            run.Write(vector.Frames, shift: i * length, keyFrames: false); // an encoder with one keyframe, at the start
        }

        var info = await run.FinishAsync();
        var durations = run.Playlist(info).Split('\n').Where(l => l.StartsWith("#EXTINF:", StringComparison.Ordinal))
            .Select(l => double.Parse(l["#EXTINF:".Length..].TrimEnd(','), CultureInfo.InvariantCulture)).ToList();
        Assert.True(durations.Count >= 2, $"fragments: {string.Join(", ", durations)}");
        Assert.All(durations, d => Assert.InRange(d, 0, 10.1));
        Assert.InRange(durations.Sum(), (8 * MediaTime.ToSeconds(length)) - 0.2, (8 * MediaTime.ToSeconds(length)) + 0.1);
    }

    [Fact]
    public async Task The_transcoder_s_faster_preset_mid_stream_carries_the_rendition_on_with_a_new_init_segment()
    {
        // What a rung looks like when the transcoder degrades under load: the same picture size and
        // timeline, new SPS and PPS (x264's ultrafast preset) from the next keyframe on.
        using var veryfast = VectorFrames.Read(Vector);
        using var ultrafast = VectorFrames.Read(UltrafastVector);
        using var run = new RecordingRun();
        var length = VectorLength(veryfast);
        run.Write(veryfast.Frames);
        run.Write(ultrafast.Frames, shift: length);

        var info = await run.FinishAsync();
        Assert.Null(info.Error);
        Assert.Equal(0, info.Breaks);
        Assert.InRange(info.DurationSeconds, (2 * MediaTime.ToSeconds(length)) - 0.2, (2 * MediaTime.ToSeconds(length)) + 0.1);
        var mp4 = run.WriteProgressive(info);
        var packets = await PacketsAsync(mp4);
        foreach (var kind in new[] { TrackKind.Video, TrackKind.Audio })
        {
            Assert.Equal(veryfast.Frames.Count(f => f.Kind == kind) + ultrafast.Frames.Count(f => f.Kind == kind), packets.Count(p => p.Kind == kind));
        }

        // Decoding the Baseline half with the High half's parameter sets would fail: each chunk has its own.
        await AssertDecodesAsync(mp4);
        using (var media = File.OpenRead(run.Catalog.MediaPath(info.Id, Rendition.SourceName)))
        {
            var video = Fmp4FileScanner.Scan(media).SampleTables().Single(t => t.Track.Kind == TrackKind.Video);
            Assert.Equal(2, video.SampleDescriptions.Count);
            Assert.Equal([1, 2], video.Chunks.Select(c => c.DescriptionIndex).Distinct());
        }

        AssertNewMapAfterDiscontinuity(run.Playlist(info), maps: 2);
        await AssertDecodesAsync(Path.Combine(run.Catalog.RenditionDirectory(info.Id, Rendition.SourceName), RecordingCatalog.PlaylistFileName));
    }

    [Fact]
    public async Task New_audio_settings_mid_stream_wait_for_the_next_keyframe_so_every_fragment_starts_with_one()
    {
        using var stereo = VectorFrames.Read(Vector);
        using var mono = VectorFrames.Read(MonoAudioVector);
        static CodecConfig ConfigOf(VectorFrames v, TrackKind kind) => v.Frames.First(f => f.Kind == kind).Config;
        Assert.True(ConfigOf(stereo, TrackKind.Video).Record.Span.SequenceEqual(ConfigOf(mono, TrackKind.Video).Record.Span), "the same video parameters");
        Assert.False(ConfigOf(stereo, TrackKind.Audio).Record.Span.SequenceEqual(ConfigOf(mono, TrackKind.Audio).Record.Span), "other audio parameters");
        using var run = new RecordingRun();
        var length = VectorLength(stereo);
        run.Write(stereo.Frames);
        run.Write(mono.Frames, shift: length); // the audio encoder changes, the video runs on mid-GOP

        var info = await run.FinishAsync();
        Assert.Null(info.Error);
        Assert.Equal(0, info.Breaks);
        var mp4 = run.WriteProgressive(info);
        var packets = await PacketsAsync(mp4);
        foreach (var kind in new[] { TrackKind.Video, TrackKind.Audio })
        {
            Assert.Equal(stereo.Frames.Count(f => f.Kind == kind) + mono.Frames.Count(f => f.Kind == kind), packets.Count(p => p.Kind == kind));
        }

        await AssertDecodesAsync(mp4);
        using (var media = File.OpenRead(run.Catalog.MediaPath(info.Id, Rendition.SourceName)))
        {
            var index = Fmp4FileScanner.Scan(media);
            Assert.Equal(2, index.Inits.Count);
            Assert.All(index.Fragments, f => Assert.True(f.Runs.First(r => r.TrackId == Fmp4Tracks.VideoTrackId).Samples[0].IsSync, $"the fragment at byte {f.Offset} starts with a keyframe"));
            Assert.Equal(2, index.SampleTables().Single(t => t.Track.Kind == TrackKind.Audio).SampleDescriptions.Count);
        }

        AssertNewMapAfterDiscontinuity(run.Playlist(info), maps: 2);
    }

    [Fact]
    public async Task A_publisher_back_with_another_picture_size_carries_the_recording_on_with_a_new_init_segment()
    {
        // Both without B-frames: a reconnect that also changes the encoder's reordering delay overlaps the two sessions' last and first pictures.
        using var first = VectorFrames.Read(UltrafastVector);
        using var other = VectorFrames.Read("h264-854x480-main.flv");
        using var run = new RecordingRun();
        run.Write(first.Frames);
        run.Write(other.Frames, shift: VectorLength(first) + MediaTime.FromSeconds(1), newSession: true);

        var info = await run.FinishAsync();
        Assert.Null(info.Error);
        Assert.Equal(1, info.Breaks);
        Assert.InRange(info.DurationSeconds, MediaTime.ToSeconds(VectorLength(first)) - 0.1, MediaTime.ToSeconds(VectorLength(first)) + 0.2); // 3 frames more
        Assert.Equal((854, 480), (info.Renditions[0].Width, info.Renditions[0].Height)); // the largest picture the VOD holds, for the master playlist
        string[] codecs = [.. new[] { first, other }.SelectMany(v => v.Frames).Select(f => f.Config.CodecString).Distinct()];
        Assert.Equal(codecs.Order(StringComparer.Ordinal), info.Renditions[0].Codecs.Split(',').Order(StringComparer.Ordinal)); // both profiles declared
        var mp4 = run.WriteProgressive(info);
        await AssertDecodesAsync(mp4);
        var (_, sizes, _) = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "frame=width,height", "-of", "csv=p=0", mp4], TimeSpan.FromSeconds(60));
        Assert.Equal(["320,240", "854,480"], sizes.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.TrimEnd(',')).Distinct());
        AssertNewMapAfterDiscontinuity(run.Playlist(info), maps: 2);
    }

    [Fact]
    public async Task Another_codec_ends_the_recording_at_the_change()
    {
        using var video = VectorFrames.Read(Vector);
        using var run = new RecordingRun();
        run.Write(video.Frames);
        // The same track carrying another codec's configuration: its samples cannot join the track.
        var audioConfig = video.Frames.First(f => f.Kind == TrackKind.Audio).Config;
        var shift = VectorLength(video);
        foreach (var frame in video.Frames.Where(f => f.Kind == TrackKind.Video))
        {
            run.Feeds[Rendition.SourceName].Write(MediaFrame.Create(TrackKind.Video, frame.Dts + shift, frame.Pts + shift, frame.IsKeyFrame, audioConfig, frame.Span));
        }

        var info = await run.FinishAsync();
        Assert.Contains("video codec changed", info.Error, StringComparison.Ordinal);
        Assert.InRange(info.DurationSeconds, MediaTime.ToSeconds(VectorLength(video)) - 0.2, MediaTime.ToSeconds(VectorLength(video)) + 0.1);
        await AssertDecodesAsync(run.WriteProgressive(info));
    }

    [Fact]
    public async Task A_crash_s_partial_fragment_is_cut_off_by_the_repair()
    {
        using var vector = VectorFrames.Read(Vector);
        using var run = new RecordingRun();
        run.Write(vector.Frames);
        run.Write(vector.Frames, shift: VectorLength(vector));
        var info = await run.FinishAsync();
        var media = run.Catalog.MediaPath(info.Id, Rendition.SourceName);
        var complete = new FileInfo(media).Length;

        // A crash mid-write: the first half of a fragment's bytes appended after the last complete one.
        var bytes = await File.ReadAllBytesAsync(media);
        var firstFragment = Fmp4FileScanner.Scan(new MemoryStream(bytes)).Fragments[0];
        await using (var file = new FileStream(media, FileMode.Append))
        {
            file.Write(bytes, (int)firstFragment.Offset, (int)(firstFragment.Length / 2));
        }

        var logger = new ListLogger();
        var repaired = RecordingFinalizer.Finalise(info with { State = RecordingState.Recording }, run.Catalog, repairing: true, logger);
        Assert.Equal(RecordingState.Ready, repaired.State);
        Assert.Equal(complete, new FileInfo(media).Length);
        Assert.Equal(complete, repaired.Renditions[0].ValidBytes);
        Assert.Contains(logger.Lines, l => l.Contains("left unfinished", StringComparison.Ordinal) && l.Contains($"drops {firstFragment.Length / 2}", StringComparison.Ordinal));
        await AssertDecodesAsync(run.WriteProgressive(repaired));
    }

    /// <summary>Found by the fmp4-file fuzz target: the VOD segments' continuity check overflowed on fragment times at the ends of the 64-bit range.</summary>
    [Fact]
    public void Fragment_times_at_the_ends_of_the_range_give_vod_segments_without_an_overflow()
    {
        var input = File.ReadAllBytes(Path.Combine(TestVectors.RepositoryRoot, "fuzz", "regressions", "fmp4-file", "tfdt-at-the-ends-of-the-range.bin"));
        var segments = RecordingFinalizer.Segments(Fmp4FileScanner.Scan(new MemoryStream(input)));
        Assert.NotEmpty(segments);
        Assert.All(segments, s => Assert.True(s.DurationSeconds >= 0));
    }

    /// <summary>From the first frame to the end of the last, audio or video: a copy shifted by this follows without overlap.</summary>
    private static long VectorLength(VectorFrames vector)
    {
        var audio = vector.Frames.Where(f => f.Kind == TrackKind.Audio).ToList();
        return vector.Frames.Max(f => f.Dts) - vector.Frames.Min(f => f.Dts) + (audio[1].Dts - audio[0].Dts);
    }

    /// <summary>Exactly one more EXT-X-MAP than the first per change, each right after an EXT-X-DISCONTINUITY, every segment a byte range inside media.mp4.</summary>
    private static void AssertNewMapAfterDiscontinuity(string playlist, int maps)
    {
        var lines = playlist.Split('\n');
        var mapLines = Enumerable.Range(0, lines.Length).Where(i => lines[i].StartsWith("#EXT-X-MAP:", StringComparison.Ordinal)).ToList();
        Assert.True(mapLines.Count == maps, playlist);
        Assert.All(mapLines.Skip(1), i => Assert.True(lines[i - 1] == "#EXT-X-DISCONTINUITY", $"line {i}: a new init segment follows a discontinuity\n{playlist}"));
        Assert.True(lines.Count(l => l == "#EXT-X-DISCONTINUITY") == maps - 1, playlist);
        Assert.DoesNotContain("BYTERANGE=\"0@", playlist, StringComparison.Ordinal);
    }

    private static async Task AssertDecodesAsync(string path)
    {
        var (code, _, error) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0 && error.Trim().Length == 0, error);
    }

    private static async Task<List<(TrackKind Kind, double Dts, bool Key)>> PacketsAsync(string path)
    {
        var (code, output, error) = await ExternalTool.RunAsync("ffprobe", ["-v", "error", "-show_entries", "packet=codec_type,dts_time,flags", "-of", "csv=p=0", path], TimeSpan.FromSeconds(60));
        Assert.True(code == 0, error);
        return [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(line =>
        {
            var fields = line.Split(',');
            return (fields[0] == "video" ? TrackKind.Video : TrackKind.Audio, double.Parse(fields[1], CultureInfo.InvariantCulture), fields[2].StartsWith('K'));
        })];
    }
}
