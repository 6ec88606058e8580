using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>
/// Broken input is counted, never thrown, and never stops the frames that come after it: the
/// transcoder's pipe and, later, SRT publishers deliver garbage, gaps and odd tables.
/// </summary>
public class TsDemuxerRobustnessTests
{
    private const int VideoPid = 0x100;
    private const int AudioPid = 0x101;

    [Fact]
    public void Garbage_before_and_between_packets_is_skipped_and_every_frame_still_comes_out()
    {
        var clean = TsDemuxRun.Bytes(TsDemuxRun.Single);
        var random = new Random(11);
        var dirty = new List<byte>();
        var insertions = 0;
        var garbageBytes = 0;
        var lastInsertion = -10;
        for (var i = 0; i < TsBytes.Count(clean); i++)
        {
            // Never around a single packet: sync is only believed when the next packet confirms it,
            // so one packet alone between two bursts of garbage is taken for garbage too.
            if (i == 0 || (i - lastInsertion >= 2 && random.Next(10) == 0))
            {
                lastInsertion = i;
                // No 0x47 in the garbage, so where sync is found again is certain.
                var garbage = Enumerable.Range(0, random.Next(1, 400)).Select(_ => (byte)random.Next(0x48, 0x100)).ToArray();
                dirty.AddRange(garbage);
                insertions++;
                garbageBytes += garbage.Length;
            }

            dirty.AddRange(TsBytes.Packet(clean, i).ToArray());
        }

        using var expected = TsDemuxRun.Of(clean);
        foreach (var chunking in Enum.GetValues<Chunking>())
        {
            using var run = TsDemuxRun.Of([.. dirty], chunking);
            Assert.Equal(insertions, run.Counters.SyncLosses);
            Assert.Equal(garbageBytes, run.Counters.SkippedBytes);
            Assert.Equal(FramesOnly(expected), FramesOnly(run));
        }
    }

    [Fact]
    public void Garbage_with_sync_bytes_in_it_costs_at_most_the_frames_it_overlaps()
    {
        var clean = TsDemuxRun.Bytes(TsDemuxRun.Single);
        var random = new Random(5);
        var dirty = new List<byte>(clean[..(188 * 100)]);
        var garbage = new byte[5000];
        random.NextBytes(garbage);
        for (var i = 0; i < garbage.Length; i += 97)
        {
            garbage[i] = 0x47;
        }

        dirty.AddRange(garbage);
        dirty.AddRange(clean[(188 * 100)..]);

        using var expected = TsDemuxRun.Of(clean);
        using var run = TsDemuxRun.Of([.. dirty], Chunking.RandomChunks);
        Assert.True(run.Counters.SyncLosses >= 1);
        Assert.True(run.Counters.SkippedBytes >= garbage.Length - 188);
        // Packets around the garbage may be lost or taken for garbage; the rest must come out.
        Assert.InRange(run.Frames.Count, expected.Frames.Count - 6, expected.Frames.Count);
        Assert.Equal(FramesOnly(expected).Split('\n')[^20..], FramesOnly(run).Split('\n')[^20..]);
    }

    [Fact]
    public void Truncated_final_packet_is_counted_and_the_frames_before_it_come_out()
    {
        var clean = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(clean);
        foreach (var chunking in Enum.GetValues<Chunking>())
        {
            using var run = TsDemuxRun.Of(clean[..^100], chunking);
            Assert.Equal(88, run.Counters.TruncatedBytes);
            // At most the PES that packet belonged to is lost (an audio PES holds several frames).
            Assert.InRange(run.Counters.DroppedPes, 0, 1);
            Assert.True(run.Frames.Count > expected.Frames.Count - 20);
            foreach (var pid in new[] { VideoPid, AudioPid })
            {
                var frames = run.Of(pid).Select(f => f.ToString()).ToList();
                Assert.Equal(expected.Of(pid).Select(f => f.ToString()).Take(frames.Count), frames);
            }
        }
    }

    [Fact]
    public void Continuity_gap_drops_exactly_the_pes_it_hits()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        var video = TsBytes.PacketsOf(ts, VideoPid);
        // A packet in the middle of a PES (not a unit start), as if the one before it was lost.
        var target = video.Skip(200).First(i => !TsBytes.UnitStart(TsBytes.Packet(ts, i)));
        var packet = TsBytes.Packet(ts, target);
        packet[3] = (byte)((packet[3] & 0xF0) | ((packet[3] + 5) & 0x0F));
        var hitFrame = video.Count(i => i <= target && TsBytes.UnitStart(TsBytes.Packet(ts, i))) - 1;

        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(2, run.Counters.ContinuityErrors); // into the bad packet, and out of it
        Assert.Equal(1, run.Counters.DroppedPes);
        var expectedVideo = expected.Of(VideoPid);
        expectedVideo.RemoveAt(hitFrame);
        Assert.Equal(expectedVideo.Select(f => f.ToString()), run.Of(VideoPid).Select(f => f.ToString()));
        Assert.Equal(expected.Of(AudioPid).Count, run.Of(AudioPid).Count);
    }

    [Fact]
    public void Duplicate_packet_is_ignored()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        var target = TsBytes.PacketsOf(ts, VideoPid)[150];
        byte[] duplicated = [.. ts[..((target + 1) * 188)], .. TsBytes.Packet(ts, target), .. ts[((target + 1) * 188)..]];

        using var run = TsDemuxRun.Of(duplicated);
        Assert.Equal(1, run.Counters.DuplicatePackets);
        Assert.Equal(0, run.Counters.ContinuityErrors);
        Assert.Equal(FramesOnly(expected), FramesOnly(run));
    }

    [Fact]
    public void Transport_error_packet_is_dropped_and_so_is_its_pes()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        var target = TsBytes.PacketsOf(ts, AudioPid).First(i => !TsBytes.UnitStart(TsBytes.Packet(ts, i)));
        TsBytes.Packet(ts, target)[1] |= 0x80;

        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(1, run.Counters.TransportErrors);
        Assert.Equal(1, run.Counters.DroppedPes);
        Assert.True(run.Of(AudioPid).Count < expected.Of(AudioPid).Count);
        Assert.Equal(expected.Of(VideoPid).Count, run.Of(VideoPid).Count);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Bad_table_crc_is_ignored_and_the_next_good_table_starts_the_frames(bool corruptPat)
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        var tables = TsBytes.PacketsOf(ts, corruptPat ? 0 : TsBytes.PmtPid(ts));
        const int Corrupted = 3;
        foreach (var index in tables.Take(Corrupted))
        {
            TsBytes.Section(TsBytes.Packet(ts, index))[^5] ^= 0x10; // a bit of the body: the CRC no longer matches
        }

        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(Corrupted, run.Counters.SectionCrcErrors);
        Assert.True(run.Counters.UnknownPidPackets > 0); // media before the first good tables
        Assert.Equal(2, run.Demuxer.Streams.Count);
        var video = run.Of(VideoPid);
        Assert.NotEmpty(video);
        Assert.True(video.Count < expected.Of(VideoPid).Count);
        Assert.Equal(expected.Of(VideoPid)[^video.Count..].Select(f => f.ToString()), video.Select(f => f.ToString()));
    }

    [Fact]
    public void Every_table_corrupt_means_no_streams_and_no_frames()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        var pats = TsBytes.PacketsOf(ts, 0);
        foreach (var index in pats)
        {
            TsBytes.Section(TsBytes.Packet(ts, index))[^1] ^= 0xFF;
        }

        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(pats.Count, run.Counters.SectionCrcErrors);
        Assert.Empty(run.Demuxer.Streams);
        Assert.Empty(run.Frames);
    }

    [Fact]
    public void Section_length_past_its_maximum_is_malformed_not_a_crash()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        var first = TsBytes.PacketsOf(ts, 0)[0];
        var section = TsBytes.Section(TsBytes.Packet(ts, first));
        section[1] |= 0x0F; // section_length 0xF??: more than 1021
        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(1, run.Counters.MalformedSections);
        Assert.NotEmpty(run.Frames);
    }

    [Fact]
    public void Unknown_stream_type_is_listed_and_counted_and_its_packets_ignored()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        foreach (var index in TsBytes.PacketsOf(ts, TsBytes.PmtPid(ts)))
        {
            var pmt = TsBytes.Section(TsBytes.Packet(ts, index));
            // The ES loop follows the 12-byte header and the (empty) program info: 0x1B video, then 0x0F audio.
            Assert.Equal(0x0F, pmt[17]);
            pmt[17] = 0x03; // MPEG-1 audio
            TsBytes.FixCrc(pmt);
        }

        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(1, run.Counters.UnsupportedStreams);
        var audio = Assert.Single(run.Demuxer.Streams, s => s.Pid == AudioPid);
        Assert.Equal(new TsStreamInfo(1, AudioPid, 0x03, null), audio);
        Assert.False(audio.IsSupported);
        Assert.Empty(run.Of(AudioPid));
        Assert.Equal(expected.Counters.UnknownPidPackets, run.Counters.UnknownPidPackets); // ffmpeg's SDT, the same as before
        Assert.Equal(expected.Of(VideoPid).Select(f => f.ToString()), run.Of(VideoPid).Select(f => f.ToString()));
    }

    [Fact]
    public void Pes_over_the_size_limit_is_dropped_and_the_smaller_ones_come_out()
    {
        // Between the two IDR pictures' PES sizes (4615 and 5131 bytes): the first keyframe, and
        // with it the SPS/PPS, gets through; the second is refused, the frames after it are not.
        const int Limit = 5000;
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        var starts = TsBytes.PacketsOf(ts, VideoPid).Where(i => TsBytes.UnitStart(TsBytes.Packet(ts, i))).ToList();
        var tooLarge = starts.Select(i => TsBytes.PesSize(ts, VideoPid, i) > Limit).ToList();
        Assert.Contains(true, tooLarge);
        Assert.Contains(false, tooLarge);

        using var run = TsDemuxRun.Of(ts, Chunking.RandomChunks, new TsDemuxerOptions { MaxPesSize = Limit });
        Assert.Equal(tooLarge.Count(t => t), run.Counters.OversizedPes);
        var kept = expected.Of(VideoPid).Where((_, i) => !tooLarge[i]).Select(f => f.ToString());
        Assert.Equal(kept, run.Of(VideoPid).Select(f => f.ToString()));
    }

    [Fact]
    public void Pes_declaring_a_length_over_the_limit_is_refused_at_its_header()
    {
        // ffmpeg's audio PES declare their length (about 1.5 to 2.9 kB here); video leaves it open.
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var run = TsDemuxRun.Of(ts, options: new TsDemuxerOptions { MaxPesSize = 1024 });
        var audioPes = TsBytes.PacketsOf(ts, AudioPid).Count(i => TsBytes.UnitStart(TsBytes.Packet(ts, i)));
        Assert.Empty(run.Of(AudioPid));
        Assert.Equal(audioPes + VideoOversized(ts, 1024), run.Counters.OversizedPes);
        Assert.Equal(run.Counters.OversizedPes, run.Counters.DroppedPes);
    }

    [Fact]
    public void Joining_mid_stream_waits_for_tables_and_parameter_sets_then_starts_at_a_keyframe()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        using var expected = TsDemuxRun.Of(ts);
        // Cut inside the first GOP and mid-packet, as a receiver joining a live SRT stream would.
        var joined = ts[(188 * 60 + 77)..];

        using var run = TsDemuxRun.Of(joined, Chunking.RandomChunks);
        Assert.Equal(1, run.Counters.SyncLosses);
        var video = run.Of(VideoPid);
        Assert.True(video[0].IsKeyFrame);
        Assert.True(run.Counters.FramesWithoutConfig > 0);
        Assert.Equal(expected.Of(VideoPid)[^video.Count..].Select(f => f.ToString()), video.Select(f => f.ToString()));
        // Before the tables come, packets are of unknown PIDs; after them, frames wait for an SPS and PPS.
        Assert.True(run.Counters.UnknownPidPackets > 0);
        Assert.InRange(expected.Of(VideoPid).Count - video.Count - run.Counters.FramesWithoutConfig, 1, 10);
    }

    [Fact]
    public void Scrambled_packets_are_dropped()
    {
        var ts = TsDemuxRun.Bytes(TsDemuxRun.Single);
        foreach (var index in TsBytes.PacketsOf(ts, AudioPid))
        {
            TsBytes.Packet(ts, index)[3] |= 0x80; // transport_scrambling_control '10'
        }

        using var run = TsDemuxRun.Of(ts);
        Assert.Equal(TsBytes.PacketsOf(ts, AudioPid).Count, run.Counters.ScrambledPackets);
        Assert.Empty(run.Of(AudioPid));
        Assert.NotEmpty(run.Of(VideoPid));
    }

    private static int VideoOversized(byte[] ts, int limit) =>
        TsBytes.PacketsOf(ts, VideoPid).Where(i => TsBytes.UnitStart(TsBytes.Packet(ts, i))).Count(i => TsBytes.PesSize(ts, VideoPid, i) > limit);

    private static string FramesOnly(TsDemuxRun run) => string.Join('\n', run.Frames.Select(f => $"{f.Pid} {f.Frame}"));
}
