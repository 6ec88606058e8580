using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>
/// The demuxer's view of each ffmpeg-made TS vector must equal ffprobe's view of the same file,
/// PID by PID: frame count, timestamps, keyframe flags, picture size, audio format and bytes.
/// Every case runs with the input whole, one byte per segment and in random chunks.
/// </summary>
public class TsDemuxerVectorTests
{
    public static TheoryData<string, Chunking> Cases()
    {
        var data = new TheoryData<string, Chunking>();
        foreach (var vector in TsDemuxRun.AllVectors)
        {
            foreach (var chunking in Enum.GetValues<Chunking>())
            {
                data.Add(vector, chunking);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Streams_and_their_configurations_match_ffprobe(string vector, Chunking chunking)
    {
        var probe = await TsProbe.OfVectorAsync(vector);
        using var run = TsDemuxRun.Of(vector, chunking);

        Assert.Equal(
            probe.Streams.Select(s => (s.Pid, s.CodecType)),
            run.Demuxer.Streams.Select(s => (s.Pid, s.Kind == TrackKind.Video ? "video" : "audio")));
        foreach (var stream in probe.Streams)
        {
            var frames = run.Of(stream.Pid);
            Assert.NotEmpty(frames);
            var config = frames[0].Config;
            // A configuration is made once and shared: the same instance on every frame of the PID.
            Assert.All(frames, f => Assert.Same(config, f.Config));
            if (stream.CodecType == "video")
            {
                var avc = Assert.IsType<AvcConfig>(config);
                Assert.Equal((stream.Width, stream.Height), (avc.Width, avc.Height));
                Assert.Equal(4, avc.NalLengthSize);
                Assert.Equal(stream.Profile == "High" ? 100 : -1, avc.Sps.ProfileIdc);
            }
            else
            {
                var aac = Assert.IsType<AacConfig>(config);
                Assert.Equal(stream.SampleRate, aac.SampleRate);
                Assert.Equal(stream.Channels, aac.ChannelConfiguration);
                Assert.Equal(stream.Profile == "LC" ? 2 : -1, aac.ObjectType);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Frames_match_ffprobe_packets_pid_by_pid(string vector, Chunking chunking)
    {
        var probe = await TsProbe.OfVectorAsync(vector);
        using var run = TsDemuxRun.Of(vector, chunking);

        // ffprobe moves a stream that starts just before the 33-bit wrap back by 2^33, to negative
        // times; the demuxer keeps the stream's own values and runs on past 2^33 instead.
        var offset = vector == TsDemuxRun.PtsWrap ? 1L << 33 : 0;
        foreach (var stream in probe.Streams)
        {
            var expected = probe.PacketsOf(stream.Pid);
            var frames = run.Of(stream.Pid);
            Assert.Equal(expected.Count, frames.Count);
            // 48 kHz frames last exactly 1920 ticks; at 44.1 kHz ffmpeg accumulates rounded
            // durations and may differ from PES time + k × 1024 samples by one tick.
            var tolerance = stream.SampleRate is 0 or 48000 ? 0 : 1;
            for (var i = 0; i < expected.Count; i++)
            {
                var (packet, frame) = (expected[i], frames[i]);
                var where = $"PID 0x{stream.Pid:x} frame {i}";
                Assert.True(Math.Abs(packet.Dts + offset - frame.Dts) <= tolerance, $"{where}: dts {frame.Dts} != ffprobe {packet.Dts + offset}");
                Assert.True(Math.Abs(packet.Pts + offset - frame.Pts) <= tolerance, $"{where}: pts {frame.Pts} != ffprobe {packet.Pts + offset}");
                Assert.True(packet.IsKey == frame.IsKeyFrame, $"{where}: keyframe {frame.IsKeyFrame} != ffprobe {packet.IsKey}");
                Assert.Equal(stream.CodecType == "video" ? TrackKind.Video : TrackKind.Audio, frame.Kind);
                Assert.Equal(1, frame.ReferenceCount);
            }
        }

        Assert.Equal(probe.Packets.Count, run.Frames.Count);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Payloads_are_ffprobes_packets_as_avcc_and_raw_aac(string vector, Chunking chunking)
    {
        var probe = await TsProbe.OfVectorAsync(vector);
        using var run = TsDemuxRun.Of(vector, chunking);

        foreach (var stream in probe.Streams)
        {
            var expected = probe.PacketsOf(stream.Pid);
            var frames = run.Of(stream.Pid);
            for (var i = 0; i < expected.Count; i++)
            {
                var where = $"PID 0x{stream.Pid:x} frame {i}";
                if (stream.CodecType == "audio")
                {
                    // The ADTS header (7 bytes, no CRC from ffmpeg) is removed; the raw frame is untouched.
                    Assert.True(expected[i].Data.AsSpan(7).SequenceEqual(frames[i].Span), where);
                    continue;
                }

                var nals = NalBytes.SplitAvcc(frames[i].Span);
                Assert.True(nals is not null, $"{where}: AVCC lengths do not walk to the end of the payload");
                var original = NalBytes.SplitAnnexB(expected[i].Data);
                var config = (AvcConfig)frames[i].Config;

                // Back in Annex B, the frame is the original PES payload minus its AUD and the
                // parameter sets, which moved into the configuration.
                var kept = original.Where(n => NalBytes.Type(n) is not (NalBytes.Aud or NalBytes.Sps or NalBytes.Pps));
                Assert.Equal(NalBytes.ToAnnexB(kept), NalBytes.ToAnnexB(nals));
                Assert.Equal(nals.Any(n => NalBytes.Type(n) == NalBytes.Idr), frames[i].IsKeyFrame);
                foreach (var set in original.Where(n => NalBytes.Type(n) == NalBytes.Sps))
                {
                    Assert.Equal(set, config.SpsList[0]);
                }

                foreach (var set in original.Where(n => NalBytes.Type(n) == NalBytes.Pps))
                {
                    Assert.Equal(set, config.PpsList[0]);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Clean_vectors_count_no_errors(string vector, Chunking chunking)
    {
        using var run = TsDemuxRun.Of(vector, chunking);
        var c = run.Counters;

        Assert.Equal(TsDemuxRun.Bytes(vector).Length / 188, c.Packets);
        Assert.Equal(
            (0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L, 0L),
            (c.SyncLosses, c.SkippedBytes, c.TruncatedBytes, c.ContinuityErrors, c.DroppedPes, c.MalformedSections, c.SectionCrcErrors, c.FramesWithoutConfig, c.MalformedAdtsFrames, c.UnsupportedStreams));
        Assert.Equal(run.Frames.Count, c.VideoFrames + c.AudioFrames);
    }

    [Fact]
    public void Every_chunking_gives_identical_frames_and_counters()
    {
        foreach (var vector in TsDemuxRun.AllVectors)
        {
            using var whole = TsDemuxRun.Of(vector);
            var reference = Describe(whole);
            foreach (var seed in new[] { 2, 3, 4 })
            {
                using var random = TsDemuxRun.Of(TsDemuxRun.Bytes(vector), Chunking.RandomChunks, seed: seed);
                Assert.Equal(reference, Describe(random));
            }

            using var bytewise = TsDemuxRun.Of(vector, Chunking.OneBytePerSegment);
            Assert.Equal(reference, Describe(bytewise));
        }
    }

    [Fact]
    public void Timestamps_run_on_past_the_33_bit_wrap()
    {
        using var run = TsDemuxRun.Of(TsDemuxRun.PtsWrap);
        foreach (var stream in run.Demuxer.Streams)
        {
            var frames = run.Of(stream.Pid);
            Assert.Contains(frames, f => f.Dts < 1L << 33);
            Assert.Contains(frames, f => f.Dts > 1L << 33);
            for (var i = 1; i < frames.Count; i++)
            {
                Assert.True(frames[i].Dts > frames[i - 1].Dts, $"PID 0x{stream.Pid:x}: dts goes back at frame {i}");
            }
        }
    }

    [Fact]
    public void Ladder_rungs_come_out_on_their_own_pids_with_aligned_keyframes()
    {
        using var run = TsDemuxRun.Of(TsDemuxRun.Ladder);
        var rungs = run.Demuxer.Streams.Where(s => s.Kind == TrackKind.Video).Select(s => run.Of(s.Pid)).ToList();

        Assert.Equal(3, rungs.Count);
        Assert.Equal([(320, 240), (240, 180), (160, 120)], rungs.Select(r => (((AvcConfig)r[0].Config).Width, ((AvcConfig)r[0].Config).Height)));
        var keyTimes = rungs.Select(r => r.Where(f => f.IsKeyFrame).Select(f => f.Pts).ToArray()).ToList();
        Assert.True(keyTimes[0].Length >= 2);
        Assert.All(keyTimes, k => Assert.Equal(keyTimes[0], k));
    }

    /// <summary>Everything observable about a run, as text, to compare runs.</summary>
    internal static string Describe(TsDemuxRun run)
    {
        var configs = new List<CodecConfig>();
        var lines = run.Frames.Select(f =>
        {
            if (!configs.Contains(f.Frame.Config))
            {
                configs.Add(f.Frame.Config);
            }

            return $"{f.Pid} {f.Frame} c{configs.IndexOf(f.Frame.Config)} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(f.Frame.Span))}";
        });
        return string.Join('\n', lines) + "\n" + run.Counters;
    }
}
