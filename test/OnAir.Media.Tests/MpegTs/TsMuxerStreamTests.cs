using System.Buffers;
using OnAir.Media;
using OnAir.Media.Avc;
using OnAir.Media.MpegTs;
using OnAir.Testing;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>The muxer's output read back packet by packet with an independent parser.</summary>
public sealed class TsMuxerStreamTests
{
    private const string AvVector = "h264-aac-320x240-2s.flv";

    [Fact]
    public void Continuity_counters_run_on_per_pid_across_two_segments()
    {
        using var vector = VectorFrames.Read(AvVector);
        var secondSegment = vector.Frames.Count / 2;
        var packets = TsReader.Packets(vector.Mux(secondSegment));

        Assert.Equal(2, packets.Count(p => p.Pid == ProgramTables.PatPid));
        Assert.Equal(2, packets.Count(p => p.Pid == ProgramTables.PmtPid));
        Assert.Equal(
            [ProgramTables.PatPid, ProgramTables.VideoPid, ProgramTables.AudioPid, ProgramTables.PmtPid],
            packets.Select(p => p.Pid).Distinct().Order());
        foreach (var pid in packets.GroupBy(p => p.Pid))
        {
            var counters = pid.Select(p => p.ContinuityCounter).ToList();
            Assert.Equal(0, counters[0]);
            for (var i = 1; i < counters.Count; i++)
            {
                Assert.True((counters[i - 1] + 1) % 16 == counters[i], $"PID 0x{pid.Key:X} packet {i}: counter {counters[i - 1]} then {counters[i]}");
            }
        }
    }

    [Fact]
    public void Each_video_pes_starts_with_pcr_equal_to_dts_and_keyframes_are_flagged()
    {
        using var vector = VectorFrames.Read(AvVector);
        var packets = TsReader.Packets(vector.Mux());
        var videoFrames = vector.Frames.Where(f => f.Kind == TrackKind.Video).ToList();
        var pes = TsReader.Pes(packets, ProgramTables.VideoPid);

        Assert.Equal(videoFrames.Count, pes.Count);
        Assert.Equal(2, videoFrames.Count(f => f.IsKeyFrame)); // 2 s at GOP 30: the test must see both kinds
        for (var i = 0; i < pes.Count; i++)
        {
            Assert.Equal(PesHeader.VideoStreamId, pes[i].StreamId);
            Assert.Equal(videoFrames[i].Dts, pes[i].Dts);
            Assert.Equal(videoFrames[i].Pts, pes[i].Pts);
            Assert.Equal(videoFrames[i].Pts == videoFrames[i].Dts ? 2 : 3, pes[i].PtsDtsFlags);
            Assert.Equal(videoFrames[i].Dts, pes[i].First.PcrBase);
            Assert.Equal(videoFrames[i].IsKeyFrame, pes[i].First.RandomAccess);
        }

        // Only the first packet of a PES carries the clock.
        Assert.Equal(pes.Count, packets.Count(p => p.PcrBase is not null));
    }

    [Fact]
    public void Audio_pes_are_random_access_points_without_pcr_when_video_carries_the_clock()
    {
        using var vector = VectorFrames.Read(AvVector);
        var pes = TsReader.Pes(TsReader.Packets(vector.Mux()), ProgramTables.AudioPid);
        var audioFrames = vector.Frames.Where(f => f.Kind == TrackKind.Audio).ToList();

        Assert.Equal(audioFrames.Count, pes.Count);
        for (var i = 0; i < pes.Count; i++)
        {
            Assert.Equal(PesHeader.AudioStreamId, pes[i].StreamId);
            Assert.Equal(2, pes[i].PtsDtsFlags);
            Assert.Equal(audioFrames[i].Pts, pes[i].Pts);
            Assert.True(pes[i].First.RandomAccess);
            Assert.Null(pes[i].First.PcrBase);
        }
    }

    [Fact]
    public void Audio_only_stream_carries_pcr_on_audio()
    {
        using var vector = VectorFrames.Read("aac-44100-mono.flv");
        Assert.False(vector.HasVideo);
        var packets = TsReader.Packets(vector.Mux());
        var pes = TsReader.Pes(packets, ProgramTables.AudioPid);

        Assert.Equal(vector.Frames.Count, pes.Count);
        Assert.DoesNotContain(packets, p => p.Pid == ProgramTables.VideoPid);
        Assert.All(pes, p => Assert.Equal(p.Pts, p.First.PcrBase));
    }

    [Fact]
    public void Pes_payloads_end_exactly_where_their_length_says_so_stuffing_is_in_adaptation_fields()
    {
        using var vector = VectorFrames.Read(AvVector);
        var packets = TsReader.Packets(vector.Mux());

        foreach (var pid in new[] { ProgramTables.VideoPid, ProgramTables.AudioPid })
        {
            foreach (var pes in TsReader.Pes(packets, pid))
            {
                // No 0xFF padding after the PES: the reassembled bytes are exactly the declared length.
                Assert.NotEqual(0, pes.DeclaredLength);
                Assert.Equal(6 + pes.DeclaredLength, pes.Bytes.Length);
            }
        }

        // Middle packets of a PES are full payload; only first (flags) and last (stuffing) may carry an adaptation field.
        foreach (var run in packets.Where(p => p.Pid is ProgramTables.VideoPid or ProgramTables.AudioPid).GroupBy(p => p.Pid))
        {
            var list = run.ToList();
            for (var i = 1; i < list.Count - 1; i++)
            {
                if (!list[i].PayloadUnitStart && !list[i + 1].PayloadUnitStart)
                {
                    Assert.Null(list[i].AdaptationField);
                }
            }
        }
    }

    [Fact]
    public void Video_payload_is_the_annex_b_access_unit_and_audio_payload_is_adts_plus_the_raw_frame()
    {
        using var vector = VectorFrames.Read(AvVector);
        var packets = TsReader.Packets(vector.Mux());
        var videoPes = TsReader.Pes(packets, ProgramTables.VideoPid);
        var audioPes = TsReader.Pes(packets, ProgramTables.AudioPid);
        var video = vector.Frames.Where(f => f.Kind == TrackKind.Video).ToList();
        var audio = vector.Frames.Where(f => f.Kind == TrackKind.Audio).ToList();

        for (var i = 0; i < video.Count; i++)
        {
            Assert.Equal(NaiveAnnexB(video[i]), videoPes[i].Payload.ToArray());
        }

        for (var i = 0; i < audio.Count; i++)
        {
            var payload = audioPes[i].Payload;
            Assert.Equal(0xFFF1, (payload[0] << 8) | payload[1]);
            var frameLength = ((payload[3] & 0x03) << 11) | (payload[4] << 3) | (payload[5] >> 5);
            Assert.Equal(payload.Length, frameLength);
            Assert.Equal(audio[i].Span.ToArray(), payload[7..].ToArray());
        }
    }

    [Fact]
    public void Steady_state_muxing_allocates_nothing()
    {
        using var vector = VectorFrames.Read(AvVector);
        var muxer = new TsMuxer(hasVideo: true, hasAudio: true);
        var output = new ArrayBufferWriter<byte>(1 << 20);
        MuxAll(muxer, vector.Frames, output); // warm-up: JIT, static tables

        output.ResetWrittenCount();
        var before = GC.GetAllocatedBytesForCurrentThread();
        MuxAll(muxer, vector.Frames, output);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.True(output.WrittenCount > 100_000);
    }

    [Fact]
    public void Frame_of_an_undeclared_track_is_refused()
    {
        using var vector = VectorFrames.Read(AvVector);
        var audioOnly = new TsMuxer(hasVideo: false, hasAudio: true);
        var output = new ArrayBufferWriter<byte>();

        Assert.Throws<ArgumentException>(() => audioOnly.WriteFrame(vector.Frames.First(f => f.Kind == TrackKind.Video), output));
        Assert.Equal(0, output.WrittenCount);
    }

    [Fact]
    public void Malformed_video_payload_throws_before_writing_anything()
    {
        using var vector = VectorFrames.Read(AvVector);
        var good = vector.Frames.First(f => f.Kind == TrackKind.Video);
        var bad = MediaFrame.Create(TrackKind.Video, 0, 0, false, good.Config, [0x00, 0x00, 0x10, 0x00, 0x41, 0x9A]);
        var muxer = new TsMuxer(hasVideo: true, hasAudio: false);
        var output = new ArrayBufferWriter<byte>();
        try
        {
            Assert.Throws<InvalidMediaException>(() => muxer.WriteFrame(bad, output));
            Assert.Equal(0, output.WrittenCount);

            // The counter did not move: the next PES starts at 0.
            muxer.WriteFrame(good, output);
            Assert.Equal(0, TsReader.Packets(output.WrittenSpan.ToArray())[0].ContinuityCounter);
        }
        finally
        {
            bad.Release();
        }
    }

    private static void MuxAll(TsMuxer muxer, IReadOnlyList<MediaFrame> frames, IBufferWriter<byte> output)
    {
        muxer.WriteTables(output);
        for (var i = 0; i < frames.Count; i++) // not foreach: a boxed enumerator would count as the muxer's allocation
        {
            muxer.WriteFrame(frames[i], output);
        }
    }

    /// <summary>The conversion spelled out the obvious way, to check the streaming one across packet boundaries.</summary>
    private static byte[] NaiveAnnexB(MediaFrame frame)
    {
        var config = (AvcConfig)frame.Config;
        var nals = new List<byte[]>();
        var offset = 0;
        while (NalUnit.TryGetNext(frame.Span, config.NalLengthSize, ref offset, out var nal))
        {
            nals.Add(nal.ToArray());
        }

        var result = new List<byte> { 0, 0, 0, 1, 0x09, 0xF0 };
        var carriesSps = nals.Any(n => NalUnit.TypeOf(n[0]) == NalUnit.TypeSps);
        var carriesPps = nals.Any(n => NalUnit.TypeOf(n[0]) == NalUnit.TypePps);
        if (frame.IsKeyFrame && !(carriesSps && carriesPps))
        {
            result.AddRange(config.AnnexBParameterSets.ToArray());
        }

        foreach (var nal in nals.Where(n => NalUnit.TypeOf(n[0]) != NalUnit.TypeAccessUnitDelimiter))
        {
            result.AddRange([0, 0, 0, 1]);
            result.AddRange(nal);
        }

        return [.. result];
    }
}
