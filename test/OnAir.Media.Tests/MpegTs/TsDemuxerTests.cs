using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>Hand-made streams for what ffmpeg's output never shows: tables across packets, table changes, odd PES and ADTS framing.</summary>
public class TsDemuxerTests
{
    private const int PmtPid = 0x1000;
    private const int VideoPid = 0x100;
    private const int AudioPid = 0x101;

    private static readonly (byte[] Sps, byte[] Pps) s_high320 = AvcConfigFromParameterSetsTests.ParameterSets(VectorTags.VideoSequenceHeader()[5..]);
    private static readonly (byte[] Sps, byte[] Pps) s_baseline854 = AvcConfigFromParameterSetsTests.ParameterSets(VectorTags.VideoSequenceHeader(VectorTags.Baseline854)[5..]);
    private static readonly byte[] s_sei = [0x06, 0x05, 0x01, 0x80];
    private static readonly byte[] s_idr = [0x65, 0x88, 0x84, 0x00, 0x21, 0x7F];
    private static readonly byte[] s_slice = [0x41, 0x9A, 0x02, 0x03];

    [Fact]
    public void Access_unit_becomes_avcc_without_aud_and_parameter_sets_whatever_the_start_codes()
    {
        // AUD behind a 4-byte start code, SPS behind a 3-byte one, trailing_zero_8bits after the PPS.
        byte[] au = [0, 0, 0, 1, 0x09, 0xF0, 0, 0, 1, .. s_high320.Sps, 0, 0, 0, 1, .. s_high320.Pps, 0, 0, 0, 0, 1, .. s_sei, 0, 0, 1, .. s_idr];
        var ts = Program().PesPackets(VideoPid, TsBuilder.Pes(0xE0, 3000, 0, au, declareLength: false)).ToArray();

        var (demuxer, frames) = Demux(ts);
        var frame = Assert.Single(frames);
        Assert.Equal(VideoPid, frame.Pid);
        Assert.True(frame.Frame.IsKeyFrame);
        Assert.Equal((0L, 3000L), (frame.Frame.Dts, frame.Frame.Pts));
        Assert.Equal(NalBytes.ToAnnexB([s_sei, s_idr]), NalBytes.ToAnnexB(NalBytes.SplitAvcc(frame.Frame.Span)!));
        var config = Assert.IsType<AvcConfig>(frame.Frame.Config);
        Assert.Equal((320, 240), (config.Width, config.Height));
        Assert.Equal(s_high320.Sps, config.SpsList[0]);
        Assert.Equal(s_high320.Pps, config.PpsList[0]);
        Release(frames);
        demuxer.Dispose();
    }

    [Fact]
    public void Frames_before_the_parameter_sets_are_dropped_and_a_config_is_new_only_when_they_change()
    {
        var b = Program();
        long t = 0;
        void Au(params byte[][] nals) => b.PesPackets(VideoPid, TsBuilder.Pes(0xE0, t += 3000, t, [.. nals.SelectMany(n => (byte[])[0, 0, 0, 1, .. n])], false));
        Au(s_slice);                                              // no SPS/PPS yet
        Au(s_high320.Sps, s_slice);                               // SPS but no PPS yet
        Au(s_high320.Sps, s_high320.Pps, s_idr);                  // config A
        Au(s_slice);
        Au(s_high320.Sps, s_high320.Pps, s_idr);                  // the same again: still A
        Au(s_baseline854.Sps, s_baseline854.Pps, s_idr);          // config B
        Au(s_slice);

        var (demuxer, frames) = Demux(b.ToArray());
        Assert.Equal(2, demuxer.Counters.FramesWithoutConfig);
        Assert.Equal(5, frames.Count);
        var configs = frames.Select(f => (AvcConfig)f.Frame.Config).ToList();
        Assert.Same(configs[0], configs[1]);
        Assert.Same(configs[0], configs[2]);
        Assert.NotSame(configs[2], configs[3]);
        Assert.Same(configs[3], configs[4]);
        Assert.Equal((854, 480), (configs[3].Width, configs[3].Height));
        Assert.Equal([true, false, true, true, false], frames.Select(f => f.Frame.IsKeyFrame));
        Release(frames);
    }

    [Fact]
    public void Invalid_sps_is_counted_and_holds_frames_back_until_a_valid_one()
    {
        var b = Program();
        byte[] badSps = [0x67, 0x64, 0x00];
        b.PesPackets(VideoPid, TsBuilder.Pes(0xE0, 1000, 1000, [0, 0, 1, .. badSps, 0, 0, 1, .. s_high320.Pps, 0, 0, 1, .. s_idr], false));
        b.PesPackets(VideoPid, TsBuilder.Pes(0xE0, 2000, 2000, [0, 0, 1, .. s_slice], false));
        b.PesPackets(VideoPid, TsBuilder.Pes(0xE0, 3000, 3000, [0, 0, 1, .. s_high320.Sps, 0, 0, 1, .. s_high320.Pps, 0, 0, 1, .. s_idr], false));

        var (demuxer, frames) = Demux(b.ToArray());
        Assert.Equal(1, demuxer.Counters.InvalidParameterSets);
        Assert.Equal(2, demuxer.Counters.FramesWithoutConfig);
        Assert.Equal(3000, Assert.Single(frames).Frame.Pts);
        Release(frames);
    }

    [Fact]
    public void Several_adts_frames_in_one_pes_are_spaced_1024_samples_apart()
    {
        var b = Program();
        byte[] payload = [.. Adts(44100, 1, 10, crc: false), .. Adts(44100, 1, 20, crc: true), .. Adts(44100, 1, 30, crc: false)];
        b.PesPackets(AudioPid, TsBuilder.Pes(0xC0, 90000, 90000, payload, declareLength: true));

        var (demuxer, frames) = Demux(b.ToArray(), flush: false);
        // A PES of declared length is complete with its last byte: no wait for the next one.
        Assert.Equal(3, frames.Count);
        // 1024 samples at 44.1 kHz are 2089.8 ticks, rounded from the PES time each time.
        Assert.Equal([90000L, 92090L, 94180L], frames.Select(f => f.Frame.Pts));
        Assert.Equal([10, 20, 30], frames.Select(f => f.Frame.Span.Length));
        Assert.All(frames, f => Assert.Equal(f.Frame.Pts, f.Frame.Dts));
        Assert.All(frames, f => Assert.True(f.Frame.IsKeyFrame));
        var config = Assert.IsType<AacConfig>(frames[0].Frame.Config);
        Assert.All(frames, f => Assert.Same(config, f.Frame.Config));
        Assert.Equal((44100, 1, 2), (config.SampleRate, config.ChannelConfiguration, config.ObjectType));
        Release(frames);
        demuxer.Dispose();
    }

    [Fact]
    public void Adts_frames_hls_cannot_carry_are_skipped_and_broken_framing_ends_the_pes()
    {
        var b = Program();
        var pce = Adts(48000, 0, 12, crc: false); // channel configuration 0: layout in a PCE
        byte[] payload = [.. Adts(48000, 2, 10, false), .. pce, .. Adts(48000, 2, 11, false), 0x12, 0x34, .. Adts(48000, 2, 13, false)];
        b.PesPackets(AudioPid, TsBuilder.Pes(0xC0, 0, 0, payload, declareLength: true));
        b.PesPackets(AudioPid, TsBuilder.Pes(0xC0, 9000, 9000, Adts(48000, 6, 14, false), declareLength: true));

        var (demuxer, frames) = Demux(b.ToArray());
        Assert.Equal(2, demuxer.Counters.MalformedAdtsFrames);
        Assert.Equal([(0L, 10), (3840L, 11), (9000L, 14)], frames.Select(f => (f.Frame.Pts, f.Frame.Span.Length)));
        Assert.NotSame(frames[0].Frame.Config, frames[2].Frame.Config); // stereo then 5.1: a new configuration
        Assert.Equal(6, ((AacConfig)frames[2].Frame.Config).ChannelConfiguration);
        Release(frames);
    }

    [Fact]
    public void Open_length_video_pes_is_complete_when_the_next_starts_or_at_flush()
    {
        var b = Program();
        b.PesPackets(VideoPid, TsBuilder.Pes(0xE0, 100, 100, [0, 0, 1, .. s_high320.Sps, 0, 0, 1, .. s_high320.Pps, 0, 0, 1, .. s_idr], false));
        var firstPes = b.ToArray();
        var ts = b.PesPackets(VideoPid, TsBuilder.Pes(0xE0, 200, 200, [0, 0, 1, .. s_slice], false)).ToArray();
        var demuxer = new TsDemuxer();
        var frames = new List<TsFrame>();
        demuxer.Push(firstPes, frames);
        Assert.Empty(frames);

        demuxer.Push(ts.AsSpan(firstPes.Length), frames);
        Assert.Equal(100, Assert.Single(frames).Frame.Pts);

        demuxer.Flush(frames);
        Assert.Equal([100L, 200L], frames.Select(f => f.Frame.Pts));
        Release(frames);
    }

    [Fact]
    public void Pes_header_split_over_packets_is_reassembled()
    {
        var pes = TsBuilder.Pes(0xE0, 4000, 1000, [0, 0, 1, .. s_high320.Sps, 0, 0, 1, .. s_high320.Pps, 0, 0, 1, .. s_idr], false);
        // The first packet carries only the start code and stream id, behind adaptation stuffing.
        var ts = Program().PesPackets(VideoPid, pes, firstChunk: 4).ToArray();

        var (demuxer, frames) = Demux(ts);
        var frame = Assert.Single(frames);
        Assert.Equal((1000L, 4000L), (frame.Frame.Dts, frame.Frame.Pts));
        Assert.Equal(0, demuxer.Counters.ContinuityErrors);
        Release(frames);
    }

    [Fact]
    public void Pmt_spanning_two_packets_and_tables_after_a_pointer_field_are_read()
    {
        // 38 private streams then H.264 and AAC: 8 + 4 + 40 × 5 + 4 = 216 bytes, more than one packet holds.
        var streams = Enumerable.Range(0, 38).Select(i => ((byte)0x06, 0x200 + i)).Concat([((byte)0x1B, VideoPid), ((byte)0x0F, AudioPid)]).ToArray();
        var pmt = TsBuilder.PmtSection(1, streams);
        var pat = TsBuilder.PatSection((0, 0x10), (1, PmtPid)); // program 0 is the network PID, not a program

        var b = new TsBuilder();
        // PAT: packet 1 has pointer_field 173 (the end of a section never seen, skipped) and ends
        // with the first 10 bytes of the PAT; packet 2's pointer_field covers the rest of it, then
        // the same section starts again (a repeat, not passed on twice) and 0xFF stuffing follows.
        b.Raw(PsiPacket(0, unitStart: true, cc: 0, [173, .. new byte[173].Select(_ => (byte)0xAA), .. pat[..10]], stuffingAtEnd: false));
        b.Raw(PsiPacket(0, unitStart: true, cc: 1, [(byte)(pat.Length - 10), .. pat[10..], .. pat], stuffingAtEnd: true));
        b.Sections(PmtPid, pmt);

        var (demuxer, frames) = Demux(b.ToArray());
        Assert.Equal(0, demuxer.Counters.MalformedSections);
        Assert.Equal(40, demuxer.Streams.Count);
        Assert.Equal(38, demuxer.Counters.UnsupportedStreams);
        Assert.Equal([(VideoPid, TrackKind.Video), (AudioPid, TrackKind.Audio)], demuxer.Streams.Where(s => s.IsSupported).Select(s => (s.Pid, s.Kind!.Value)));
        Assert.Empty(frames);
    }

    [Fact]
    public void Pmt_version_change_drops_removed_streams_and_adds_new_ones()
    {
        var b = new TsBuilder()
            .Sections(0, TsBuilder.PatSection((1, PmtPid)))
            .Sections(PmtPid, TsBuilder.PmtSection(1, 0, (0x1B, VideoPid), (0x0F, AudioPid)));
        b.PesPackets(AudioPid, TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 2, 10, false), true));
        b.Sections(PmtPid, TsBuilder.PmtSection(1, 1, (0x1B, VideoPid), (0x0F, 0x102)));
        b.PesPackets(AudioPid, TsBuilder.Pes(0xC0, 1920, 1920, Adts(48000, 2, 10, false), true));
        b.PesPackets(0x102, TsBuilder.Pes(0xC0, 3840, 3840, Adts(48000, 2, 10, false), true));

        var (demuxer, frames) = Demux(b.ToArray());
        Assert.Equal([(1, VideoPid), (1, 0x102)], demuxer.Streams.Select(s => (s.ProgramNumber, s.Pid)));
        Assert.Equal([(AudioPid, 0L), (0x102, 3840L)], frames.Select(f => (f.Pid, f.Frame.Pts)));
        Assert.Equal(1, demuxer.Counters.UnknownPidPackets);
        Release(frames);
    }

    [Fact]
    public void Two_programs_each_come_out_on_their_own_pids()
    {
        var b = new TsBuilder()
            .Sections(0, TsBuilder.PatSection((1, 0x1000), (2, 0x1001)))
            .Sections(0x1000, TsBuilder.PmtSection(1, (0x0F, 0x100)))
            .Sections(0x1001, TsBuilder.PmtSection(2, (0x0F, 0x200)));
        b.PesPackets(0x100, TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 2, 10, false), true));
        b.PesPackets(0x200, TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 1, 10, false), true));

        var (demuxer, frames) = Demux(b.ToArray());
        Assert.Equal([(1, 0x100), (2, 0x200)], demuxer.Streams.Select(s => (s.ProgramNumber, s.Pid)));
        Assert.Equal([0x100, 0x200], frames.Select(f => f.Pid));
        Release(frames);
    }

    [Fact]
    public void Streams_beyond_the_pid_limit_are_counted_not_tracked()
    {
        var b = new TsBuilder()
            .Sections(0, TsBuilder.PatSection((1, PmtPid)))
            .Sections(PmtPid, TsBuilder.PmtSection(1, (0x0F, 0x100), (0x0F, 0x101), (0x0F, 0x102)));
        foreach (var pid in new[] { 0x100, 0x101, 0x102 })
        {
            b.PesPackets(pid, TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 2, 10, false), true));
        }

        var (demuxer, frames) = Demux(b.ToArray(), options: new TsDemuxerOptions { MaxPids = 3 }); // the PMT PID and two streams
        Assert.Equal(1, demuxer.Counters.PidLimitExceeded);
        Assert.Equal([0x100, 0x101], demuxer.Streams.Select(s => s.Pid));
        Assert.Equal([0x100, 0x101], frames.Select(f => f.Pid));
        Assert.Equal(1, demuxer.Counters.UnknownPidPackets);
        Release(frames);
    }

    [Fact]
    public void Discontinuity_indicator_excuses_a_counter_jump_and_null_packets_are_ignored()
    {
        var audio = new TsBuilder().PesPackets(AudioPid, TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 2, 10, false), true)).ToArray();
        var jumped = (byte[])audio.Clone();
        jumped[3] = (byte)((jumped[3] & 0xF0) | 9);
        jumped[5] |= 0x80; // discontinuity_indicator (the builder's last packet has an adaptation field)
        var nullPacket = new byte[188];
        nullPacket[0] = 0x47;
        nullPacket[1] = 0x1F;
        nullPacket[2] = 0xFF;
        nullPacket[3] = 0x10;

        var (demuxer, frames) = Demux([.. Program().ToArray(), .. audio, .. nullPacket, .. jumped]);
        Assert.Equal(2, frames.Count);
        Assert.Equal(0, demuxer.Counters.ContinuityErrors);
        Assert.Equal(1, demuxer.Counters.Discontinuities);
        Assert.Equal(0, demuxer.Counters.UnknownPidPackets);
        Release(frames);
    }

    [Fact]
    public void Impossible_adaptation_field_length_is_a_malformed_packet()
    {
        var packet = new TsBuilder().PesPackets(AudioPid, TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 2, 10, false), true)).ToArray();
        packet[4] = 184;
        var (demuxer, frames) = Demux([.. Program().ToArray(), .. packet]);
        Assert.Equal(1, demuxer.Counters.MalformedPackets);
        Assert.Empty(frames);
    }

    [Fact]
    public void Pes_without_pts_is_malformed()
    {
        var pes = TsBuilder.Pes(0xC0, 0, 0, Adts(48000, 2, 10, false), true);
        pes[7] = 0x00; // PTS_DTS_flags 00
        var (demuxer, frames) = Demux(Program().PesPackets(AudioPid, pes).ToArray());
        Assert.Equal((1L, 1L), (demuxer.Counters.MalformedPes, demuxer.Counters.DroppedPes));
        Assert.Empty(frames);
    }

    [Fact]
    public void Options_out_of_range_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TsDemuxer(new TsDemuxerOptions { MaxPesSize = 100 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TsDemuxer(new TsDemuxerOptions { MaxPids = 0 }));
    }

    private static TsBuilder Program() => new TsBuilder()
        .Sections(0, TsBuilder.PatSection((1, PmtPid)))
        .Sections(PmtPid, TsBuilder.PmtSection(1, (0x1B, VideoPid), (0x0F, AudioPid)));

    private static (TsDemuxer Demuxer, List<TsFrame> Frames) Demux(byte[] ts, bool flush = true, TsDemuxerOptions? options = null)
    {
        var demuxer = new TsDemuxer(options);
        var frames = new List<TsFrame>();
        demuxer.Push(ts, frames);
        if (flush)
        {
            demuxer.Flush(frames);
        }

        return (demuxer, frames);
    }

    /// <summary>An ADTS frame: AAC-LC, the given rate and channels, <paramref name="rawLength"/> bytes of raw data (0x5A), with or without CRC.</summary>
    private static byte[] Adts(int sampleRate, int channels, int rawLength, bool crc)
    {
        int[] rates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
        var headerSize = crc ? 9 : 7;
        var length = headerSize + rawLength;
        var index = Array.IndexOf(rates, sampleRate);
        byte[] frame = new byte[length];
        frame[0] = 0xFF;
        frame[1] = (byte)(crc ? 0xF0 : 0xF1);
        frame[2] = (byte)((1 << 6) | (index << 2) | (channels >> 2));
        frame[3] = (byte)(((channels & 3) << 6) | (length >> 11));
        frame[4] = (byte)(length >> 3);
        frame[5] = (byte)(((length & 7) << 5) | 0x1F);
        frame[6] = 0xFC;
        frame.AsSpan(headerSize).Fill(0x5A);
        return frame;
    }

    private static byte[] PsiPacket(int pid, bool unitStart, int cc, byte[] payload, bool stuffingAtEnd)
    {
        Assert.True(payload.Length <= 184);
        var packet = new byte[188];
        packet[0] = 0x47;
        packet[1] = (byte)((unitStart ? 0x40 : 0) | (pid >> 8));
        packet[2] = (byte)pid;
        packet[3] = (byte)(0x10 | cc);
        packet.AsSpan(4).Fill(0xFF);
        payload.CopyTo(packet.AsSpan(stuffingAtEnd ? 4 : 188 - payload.Length));
        return packet;
    }

    private static void Release(List<TsFrame> frames)
    {
        foreach (var frame in frames)
        {
            frame.Frame.Release();
        }
    }
}
