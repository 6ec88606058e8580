using OnAir.Media.Mp4;
using OnAir.Testing;
using Xunit;

namespace OnAir.Media.Tests.Mp4;

/// <summary>
/// A fragmented file made progressive without copying its media: the head built from the scanned
/// fragments, followed by the fragments' bytes, is an MP4 whose moov comes first (fast start) and
/// in which ffprobe finds every frame of the publisher's FLV, in order, with its bytes, sync flag
/// and timing unchanged, and which ffmpeg decodes to the end without an error.
/// </summary>
public class Mp4ProgressiveTests
{
    public static TheoryData<string> Vectors => Fmp4WriterTests.Vectors;

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Every_frame_reads_back_from_the_progressive_file(string vector)
    {
        using var temp = new TempDirectory();
        var path = WriteProgressive(temp, vector);
        var source = await ProbeResult.OfVectorAsync(vector);
        var written = await ProbeResult.OfFileAsync(path);
        ProbeAssert.SamePackets(source, written, fromFirstPacket: true); // the progressive timeline starts at the first sample
        Assert.Equal(source.Video?.Width, written.Video?.Width);
        Assert.Equal(source.Audio?.SampleRate, written.Audio?.SampleRate);
        var (code, _, error) = await ExternalTool.RunAsync("ffmpeg", ["-v", "error", "-i", path, "-f", "null", "-"], TimeSpan.FromSeconds(60));
        Assert.True(code == 0 && error.Length == 0, error);
    }

    [Fact]
    public void The_moov_comes_before_the_media_and_the_data_follows_the_head_unchanged()
    {
        using var temp = new TempDirectory();
        using var frames = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var fragmented = Fmp4Vector.Write(frames.Frames);
        using var stream = new MemoryStream(fragmented);
        var index = Fmp4FileScanner.Scan(stream);
        var head = Mp4ProgressiveHeader.Create(index.SampleTables(), index.ValidLength - index.InitLength);
        var types = TopLevelTypes(head);
        Assert.Equal(["ftyp", "moov", "mdat"], types);
        Assert.Equal(fragmented.Length, index.ValidLength);
    }

    [Fact]
    public void Scan_finds_every_fragment_and_its_samples_as_written()
    {
        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var frames = vector.Frames;
        var fragmented = Fmp4Vector.Write(frames);
        var index = Fmp4FileScanner.Scan(new MemoryStream(fragmented));
        Assert.Null(index.StoppedBecause);
        Assert.Equal([TrackKind.Video, TrackKind.Audio], index.Tracks.Select(t => t.Kind));
        var video = index.Fragments.SelectMany(f => f.Runs).Where(r => r.TrackId == Fmp4Tracks.VideoTrackId).SelectMany(r => r.Samples).ToList();
        var sourceVideo = frames.Where(f => f.Kind == TrackKind.Video).ToList();
        Assert.Equal(sourceVideo.Select(f => (uint)f.Payload.Length), video.Select(s => s.Size));
        Assert.Equal(sourceVideo.Select(f => f.IsKeyFrame), video.Select(s => s.IsSync));
        Assert.Equal(sourceVideo.Select(f => (int)(f.Pts - f.Dts)), video.Select(s => s.CompositionOffset));
        var firstRun = index.Fragments[0].Runs[0];
        Assert.Equal(sourceVideo[0].Dts, firstRun.BaseDecodeTime);
        Assert.True(fragmented.AsSpan((int)firstRun.DataOffset, sourceVideo[0].Payload.Length).SequenceEqual(sourceVideo[0].Span));
    }

    [Fact]
    public void A_later_init_segment_describes_the_fragments_after_it_and_one_with_other_tracks_ends_the_scan()
    {
        using var vector = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var fragmented = Fmp4Vector.Write(vector.Frames);
        var first = Fmp4FileScanner.Scan(new MemoryStream(fragmented));
        var video = (OnAir.Media.Avc.AvcConfig)vector.Frames.First(f => f.Kind == TrackKind.Video).Config;
        var audio = (OnAir.Media.Aac.AacConfig)vector.Frames.First(f => f.Kind == TrackKind.Audio).Config;

        // The same tracks again (as after new codec parameters), then the fragments once more.
        var fragments = fragmented.AsSpan((int)first.InitLength);
        var again = Fmp4InitSegment.Create(video, audio);
        var twice = Fmp4FileScanner.Scan(new MemoryStream([.. fragmented, .. again, .. fragments]));
        Assert.Null(twice.StoppedBecause);
        Assert.Equal([(0L, first.InitLength), (fragmented.Length, again.Length)], twice.Inits.Select(i => (i.Offset, i.Length)));
        Assert.Equal([.. first.Fragments.Select(_ => 0), .. first.Fragments.Select(_ => 1)], twice.Fragments.Select(f => f.Init));

        // An init segment without the audio track: what follows cannot belong to this file's tracks.
        var videoOnly = Fmp4InitSegment.Create(video, audio: null);
        var other = Fmp4FileScanner.Scan(new MemoryStream([.. fragmented, .. videoOnly, .. fragments]));
        Assert.Equal(fragmented.Length, other.ValidLength);
        Assert.Contains("other tracks", other.StoppedBecause, StringComparison.Ordinal);
        Assert.Equal(first.Fragments.Count, other.Fragments.Count);
    }

    /// <summary>Found by the fmp4-file fuzz target: fragment times at the ends of the 64-bit range overflowed the drift check (an OverflowException, not a refusal).</summary>
    [Fact]
    public void Fragment_times_at_the_ends_of_the_64_bit_range_neither_overflow_nor_pass_for_continuous()
    {
        var input = File.ReadAllBytes(Path.Combine(TestVectors.RepositoryRoot, "fuzz", "regressions", "fmp4-file", "tfdt-at-the-ends-of-the-range.bin"));
        var index = Fmp4FileScanner.Scan(new MemoryStream(input));
        var tables = index.SampleTables();
        Mp4ProgressiveHeader.Create(tables, index.ValidLength - index.InitLength);
        Assert.All(tables, t => Assert.True(t.Duration >= 0, $"{t.Track.Kind}: {t.Duration}"));
        Assert.True(MediaTime.IsWithin(long.MinValue, long.MaxValue, 100, out _) is false, "far apart, however the subtraction wraps");
        Assert.True(MediaTime.IsWithin(long.MaxValue, (Int128)long.MaxValue - 10, 100, out var difference) && difference == 10);
    }

    /// <summary>A crash leaves a file cut anywhere: the scan keeps every fragment that is whole and says where it stopped.</summary>
    [Fact]
    public void A_file_cut_anywhere_keeps_every_whole_fragment_before_the_cut()
    {
        using var frames = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var fragmented = Fmp4Vector.Write(frames.Frames);
        var whole = Fmp4FileScanner.Scan(new MemoryStream(fragmented));
        var ends = whole.Fragments.Select(f => f.Offset + f.Length).ToList();
        var random = new Random(20261205);
        for (var i = 0; i < 300; i++)
        {
            var cut = random.Next((int)whole.InitLength, fragmented.Length);
            var index = Fmp4FileScanner.Scan(new MemoryStream(fragmented, 0, cut));
            var expectedFragments = ends.Count(e => e <= cut);
            Assert.Equal(expectedFragments, index.Fragments.Count);
            Assert.Equal(expectedFragments == 0 ? whole.InitLength : ends[expectedFragments - 1], index.ValidLength);
            Assert.Equal(cut == index.ValidLength, index.StoppedBecause is null);
        }
    }

    /// <summary>Whatever bytes follow the init segment, the scan stops with a reason; it never throws or reads past its bounds.</summary>
    [Fact]
    public void Corrupted_fragments_stop_the_scan_with_a_reason()
    {
        using var frames = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var fragmented = Fmp4Vector.Write(frames.Frames);
        var whole = Fmp4FileScanner.Scan(new MemoryStream(fragmented));
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var mutated = (byte[])fragmented.Clone();
            for (var flips = random.Next(1, 8); flips > 0; flips--)
            {
                mutated[random.Next((int)whole.InitLength, mutated.Length)] = (byte)random.Next(256);
            }

            var index = Fmp4FileScanner.Scan(new MemoryStream(mutated));
            Assert.InRange(index.ValidLength, whole.InitLength, mutated.Length);
            foreach (var fragment in index.Fragments)
            {
                Assert.All(fragment.Runs, r => Assert.InRange(r.DataOffset + r.DataLength, fragment.Offset, fragment.Offset + fragment.Length));
            }
        }
    }

    /// <summary>A recording's init segment read back (tracks, sample entries, codec configurations): whatever its bytes, only InvalidMediaException.</summary>
    [Fact]
    public void Corrupted_init_segments_only_ever_raise_InvalidMediaException()
    {
        using var frames = VectorFrames.Read("h264-aac-320x240-2s.flv");
        var fragmented = Fmp4Vector.Write(frames.Frames);
        var initLength = (int)Fmp4FileScanner.Scan(new MemoryStream(fragmented)).InitLength;
        var random = new Random(11);
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 3000; i++)
        {
            var mutated = fragmented.AsSpan(0, initLength).ToArray();
            for (var flips = random.Next(1, 6); flips > 0; flips--)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            string outcome;
            try
            {
                var index = Fmp4FileScanner.Scan(new MemoryStream(mutated));
                foreach (var track in index.Tracks)
                {
                    _ = track.ReadCodecConfig();
                }

                outcome = "read";
            }
            catch (InvalidMediaException)
            {
                outcome = "rejected";
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        Assert.True(outcomes.GetValueOrDefault("read") > 0 && outcomes.GetValueOrDefault("rejected") > 0, string.Join(", ", outcomes));
    }

    private static string WriteProgressive(TempDirectory temp, string vector)
    {
        using var frames = VectorFrames.Read(vector);
        var fragmented = Fmp4Vector.Write(frames.Frames);
        var index = Fmp4FileScanner.Scan(new MemoryStream(fragmented));
        var head = Mp4ProgressiveHeader.Create(index.SampleTables(), index.ValidLength - index.InitLength);
        var path = temp.File("progressive.mp4");
        using var file = File.Create(path);
        file.Write(head);
        file.Write(fragmented.AsSpan((int)index.InitLength, (int)(index.ValidLength - index.InitLength)));
        return path;
    }

    private static List<string> TopLevelTypes(byte[] head)
    {
        var types = new List<string>();
        for (var at = 0; at < head.Length;)
        {
            Assert.True(Mp4BoxHeader.TryRead(head.AsSpan(at), long.MaxValue, out var box));
            types.Add(box.TypeName);
            at += box.Is("mdat"u8) ? head.Length : (int)box.Size;
        }

        return types;
    }
}
