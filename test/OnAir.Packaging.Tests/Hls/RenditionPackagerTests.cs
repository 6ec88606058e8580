using System.Globalization;
using System.Text.Json;
using OnAir.Media;
using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Testing;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>20 s of the 320x240 H.264 + AAC vector (ten 2 s copies) packaged once with the default options.</summary>
public sealed class TwentySecondsOfAudioVideo : IAsyncLifetime, IDisposable
{
    public const int Copies = 10;

    internal VectorFrames Vector { get; } = VectorFrames.Read("h264-aac-320x240-2s.flv");

    internal PackagingRun Run { get; } = new(new HlsOptions());

    internal MediaPlaylistText Final => Run.Snapshots[^1].Parsed;

    public Task InitializeAsync() => Run.RunAsync(LoopedFrames.Loop(Vector, Copies));

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        Run.Dispose();
        Vector.Dispose();
    }
}

/// <summary>A rendition packaged end to end: what a player downloads, and what is left on disk.</summary>
public sealed class RenditionPackagerTests : IClassFixture<TwentySecondsOfAudioVideo>
{
    private const int VideoPid = 0x100;
    private readonly TwentySecondsOfAudioVideo _av;

    public RenditionPackagerTests(TwentySecondsOfAudioVideo av) => _av = av;

    private PackagingRun Run => _av.Run;

    [Fact]
    public void The_live_playlist_is_a_sliding_window_whose_media_sequence_grows()
    {
        var window = Run.Options.WindowSegments;
        var live = Run.Snapshots.Where(s => !s.Parsed.Ended).ToList();

        Assert.Equal(TwentySecondsOfAudioVideo.Copies, live.Count); // one publish per 2 s segment
        for (var i = 0; i < live.Count; i++)
        {
            var closed = i + 1;
            var playlist = live[i].Parsed;
            Assert.Equal(Math.Min(closed, window), playlist.Segments.Count);
            Assert.Equal(Math.Max(0, closed - window), playlist.MediaSequence);
            Assert.Equal(
                Enumerable.Range((int)playlist.MediaSequence, playlist.Segments.Count).Select(n => $"{PackagingRun.StreamId}-{n}.ts"),
                playlist.Segments.Select(s => s.Uri));
            Assert.Equal(2, playlist.TargetDuration);
        }

        Assert.Equal(["2.000", "2.000", "2.000", "2.000", "2.000"], _av.Final.Segments.SkipLast(1).Select(s => s.RawDuration));
    }

    [Fact]
    public async Task Every_listed_segment_is_on_disk_and_ffprobe_reads_h264_320x240_and_aac_from_it()
    {
        var listed = _av.Final.Segments;
        Assert.Equal(Run.Options.WindowSegments, listed.Count);

        var probes = await Task.WhenAll(listed.Select(s => ExternalTool.FfprobeJsonAsync(Run.SegmentPath(s.Uri), "-show_streams")));

        foreach (var (segment, json) in listed.Zip(probes))
        {
            Assert.True(Run.Rendition.TryGetSegment(segment.Uri, out _), $"{segment.Uri} is listed but the origin would not serve it");
            using var probe = JsonDocument.Parse(json);
            var streams = probe.RootElement.GetProperty("streams").EnumerateArray().ToList();
            Assert.Equal(2, streams.Count);
            var video = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "video");
            var audio = Assert.Single(streams, s => s.GetProperty("codec_type").GetString() == "audio");
            Assert.Equal("h264", video.GetProperty("codec_name").GetString());
            Assert.Equal(320, video.GetProperty("width").GetInt32());
            Assert.Equal(240, video.GetProperty("height").GetInt32());
            Assert.Equal("aac", audio.GetProperty("codec_name").GetString());
            Assert.Equal("48000", audio.GetProperty("sample_rate").GetString());
        }
    }

    [Fact]
    public void Each_segment_starts_with_a_keyframe_where_the_previous_one_ended()
    {
        var segments = Run.Snapshots.SelectMany(s => s.Parsed.Segments).DistinctBy(s => s.Uri).ToList();
        Assert.Equal(TwentySecondsOfAudioVideo.Copies, segments.Count);

        var firstVideo = segments.Select(s => TsReader.Pes(TsReader.Packets(File.ReadAllBytes(Run.SegmentPath(s.Uri))), VideoPid)[0]).ToList();

        Assert.Equal(_av.Vector.Frames.First(f => f.Kind == TrackKind.Video).Pts, firstVideo[0].Pts); // nothing lost before the first segment
        Assert.All(firstVideo, pes => Assert.True(pes.First.RandomAccess, "segment does not start at a random access point"));
        for (var n = 0; n + 1 < segments.Count; n++)
        {
            var expected = firstVideo[n].Pts + (long)Math.Round(segments[n].Duration * MediaTime.TicksPerSecond);
            Assert.True(
                Math.Abs(firstVideo[n + 1].Pts - expected) <= 3000,
                $"segment {n + 1} starts at PTS {firstVideo[n + 1].Pts}, segment {n} started at {firstVideo[n].Pts} and lasts {segments[n].RawDuration} s");
        }
    }

    [Fact]
    public void Program_date_time_starts_at_the_wall_clock_of_the_first_frame_and_follows_media_time()
    {
        var segments = Run.Snapshots.SelectMany(s => s.Parsed.Segments).DistinctBy(s => s.Uri).ToList();

        Assert.Equal(ManualTimeProvider.DefaultStart, segments[0].ProgramDateTime);
        for (var n = 1; n < segments.Count; n++)
        {
            var gap = segments[n].ProgramDateTime - segments[n - 1].ProgramDateTime;
            Assert.True(Math.Abs((gap - TimeSpan.FromSeconds(segments[n - 1].Duration)).TotalMilliseconds) <= 1, $"PDT of segment {n} is {gap} after the previous one");
        }
    }

    [Fact]
    public void When_the_feed_ends_the_playlist_gets_endlist_and_the_file_on_disk_is_what_is_served()
    {
        var served = Run.Rendition.Playlist!;

        Assert.True(_av.Final.Ended);
        Assert.True(Run.Rendition.IsEnded);
        Assert.EndsWith("#EXT-X-ENDLIST\n", System.Text.Encoding.UTF8.GetString(served), StringComparison.Ordinal);
        Assert.Equal(served, File.ReadAllBytes(Run.PlaylistPath));
        Assert.Equal(Run.Snapshots[^1].Playlist, served);

        // The ended playlist is the last window plus nothing new: the same segments as the last live one.
        var lastLive = Run.Snapshots.Last(s => !s.Parsed.Ended).Parsed;
        Assert.Equal(lastLive.Segments.Select(s => s.Uri), _av.Final.Segments.Select(s => s.Uri));
        Assert.Empty(Directory.GetFiles(Run.Rendition.Directory, "*.tmp"));
    }

    [Fact]
    public void The_master_playlist_describes_the_rendition_with_codecs_taken_from_the_stream()
    {
        var video = (AvcConfig)_av.Vector.Frames.First(f => f.Kind == TrackKind.Video).Config;
        var audio = (AacConfig)_av.Vector.Frames.First(f => f.Kind == TrackKind.Audio).Config;
        var sps = video.SpsList[0];
        var expectedCodecs = $"\"avc1.{sps[1]:x2}{sps[2]:x2}{sps[3]:x2},mp4a.40.{audio.Record.Span[0] >> 3}\"";

        var served = Run.Output.MasterPlaylist!;
        var master = MasterPlaylistText.Parse(served);

        Assert.Equal(served, File.ReadAllBytes(Path.Combine(Run.Output.Directory, "master.m3u8")));
        var variant = Assert.Single(master.Variants);
        Assert.Equal("source/playlist.m3u8", variant.Uri);
        Assert.Equal("320x240", variant.Attributes["RESOLUTION"]);
        Assert.Equal(expectedCodecs, variant.Attributes["CODECS"]);
        Assert.Equal("\"avc1.64000d,mp4a.40.2\"", expectedCodecs); // what the vector's README says it is
        Assert.Equal("30.000", variant.Attributes["FRAME-RATE"]);
    }

    [Fact]
    public void Bandwidth_is_at_least_every_listed_segments_bit_rate_and_average_bandwidth_is_the_windows_mean()
    {
        var variant = Assert.Single(MasterPlaylistText.Parse(Run.Output.MasterPlaylist!).Variants);
        var bandwidth = long.Parse(variant.Attributes["BANDWIDTH"], CultureInfo.InvariantCulture);
        var average = long.Parse(variant.Attributes["AVERAGE-BANDWIDTH"], CultureInfo.InvariantCulture);

        var listed = _av.Final.Segments.Select(s => (Bits: new FileInfo(Run.SegmentPath(s.Uri)).Length * 8.0, s.Duration)).ToList();
        Assert.All(listed, s => Assert.True(s.Bits / s.Duration <= bandwidth, $"a segment of {s.Bits / s.Duration:0} b/s exceeds BANDWIDTH {bandwidth}"));
        var mean = listed.Sum(s => s.Bits) / listed.Sum(s => s.Duration);
        Assert.InRange(average, mean - 1, mean + 1);
        Assert.True(average <= bandwidth);
    }

    [Fact]
    public async Task Ffprobe_plays_the_ended_playlist_through_its_hls_demuxer()
    {
        var json = await ExternalTool.FfprobeJsonAsync(Run.PlaylistPath, "-show_entries", "format=duration:stream=codec_name");

        using var probe = JsonDocument.Parse(json);
        var duration = double.Parse(probe.RootElement.GetProperty("format").GetProperty("duration").GetString()!, CultureInfo.InvariantCulture);
        Assert.InRange(duration, _av.Final.TotalDuration - 0.1, _av.Final.TotalDuration + 0.1);
        var codecs = probe.RootElement.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("codec_name").GetString()).Order();
        Assert.Equal(["aac", "h264"], codecs);
    }

    [Fact]
    public void Segments_that_left_the_window_are_still_served_while_within_the_retention()
    {
        // 20 s of stream against a 30 s retention: all ten segments remain downloadable.
        var files = Directory.GetFiles(Run.Rendition.Directory, "*.ts").Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(Run.EverListed.Order(StringComparer.Ordinal), files);
        Assert.Equal(TwentySecondsOfAudioVideo.Copies, Run.Rendition.DownloadableCount);
    }
}
