using System.Globalization;
using OnAir.Media.Avc;
using OnAir.Media.Flv;

namespace OnAir.Media.Tests.Flv;

/// <summary>
/// The reader's view of each ffmpeg-made vector must equal ffprobe's view of the same file: what
/// HLS players are told (size, profile, level, CODECS) and every frame's timing and keyframe flag.
/// Each case runs twice: tag bodies in one piece, and one byte per segment (a slow TCP peer).
/// </summary>
public class FlvMediaReaderVectorTests
{
    public static TheoryData<string, bool> VideoCases => Cases(VectorRead.VideoVectors);

    public static TheoryData<string, bool> AudioCases => Cases(VectorRead.AudioVectors);

    public static TheoryData<string, bool> AllCases => Cases(VectorRead.AllVectors);

    [Theory]
    [MemberData(nameof(VideoCases))]
    public async Task Video_configuration_matches_ffprobe(string vector, bool oneBytePerSegment)
    {
        var probe = (await ProbeResult.OfVectorAsync(vector)).Video!;
        using var read = VectorRead.Of(vector, oneBytePerSegment);
        var config = Assert.IsType<AvcConfig>(read.Reader.Video);
        Assert.Equal(TrackKind.Video, config.Kind);
        Assert.Equal((probe.Width, probe.Height), (config.Width, config.Height));
        Assert.Equal(ProfileIdc(probe.Profile), config.Sps.ProfileIdc);
        // ffmpeg names profile_idc 66 "Constrained Baseline" exactly when constraint_set1_flag is set.
        Assert.Equal(probe.Profile == "Constrained Baseline", config.Sps.ProfileIdc == 66 && (config.Sps.ConstraintFlags & 0x40) != 0);
        Assert.Equal(probe.Level, config.Sps.LevelIdc);
        Assert.Equal(probe.NalLengthSize, config.NalLengthSize);
        Assert.Equal(probe.Extradata, config.Record.ToArray());

        // RFC 6381: avc1.PPCCLL is profile_idc, the constraint byte and level_idc of the SPS, in hex.
        var sps = config.SpsList[0];
        Assert.Equal("avc1." + Convert.ToHexStringLower(sps.AsSpan(1, 3)), config.CodecString);
        Assert.Equal("avc1." + Convert.ToHexStringLower(probe.Extradata.AsSpan(1, 3)), config.CodecString);

        var rate = probe.FrameRate!.Split('/');
        Assert.Equal(double.Parse(rate[0], CultureInfo.InvariantCulture) / double.Parse(rate[1], CultureInfo.InvariantCulture), config.Sps.FrameRate);
    }

    [Theory]
    [MemberData(nameof(VideoCases))]
    public async Task Annex_b_parameter_sets_are_the_records_sps_and_pps_behind_start_codes(string vector, bool oneBytePerSegment)
    {
        var extradata = (await ProbeResult.OfVectorAsync(vector)).Video!.Extradata;
        using var read = VectorRead.Of(vector, oneBytePerSegment);

        // The vectors carry one SPS and one PPS: 6-byte header, u16 SPS length, SPS, count, u16 PPS length, PPS.
        var spsLength = (extradata[6] << 8) | extradata[7];
        var sps = extradata.AsSpan(8, spsLength).ToArray();
        var ppsLength = (extradata[9 + spsLength] << 8) | extradata[10 + spsLength];
        var pps = extradata.AsSpan(11 + spsLength, ppsLength).ToArray();

        byte[] expected = [0, 0, 0, 1, .. sps, 0, 0, 0, 1, .. pps];
        Assert.Equal(expected, read.Reader.Video!.AnnexBParameterSets.ToArray());
    }

    [Theory]
    [MemberData(nameof(AudioCases))]
    public async Task Audio_configuration_matches_ffprobe(string vector, bool oneBytePerSegment)
    {
        var probe = (await ProbeResult.OfVectorAsync(vector)).Audio!;
        using var read = VectorRead.Of(vector, oneBytePerSegment);
        var config = read.Reader.Audio;

        Assert.NotNull(config);
        Assert.Equal(TrackKind.Audio, config.Kind);
        Assert.Equal(probe.SampleRate, config.SampleRate);
        Assert.Equal(probe.Channels, config.ChannelConfiguration);
        Assert.Equal(AudioObjectType(probe.Profile), config.ObjectType);
        Assert.Equal($"mp4a.40.{AudioObjectType(probe.Profile)}", config.CodecString);
        Assert.Equal(probe.Extradata, config.Record.ToArray());
    }

    [Theory]
    [MemberData(nameof(AllCases))]
    public async Task Frames_match_ffprobe_packets(string vector, bool oneBytePerSegment)
    {
        var probe = await ProbeResult.OfVectorAsync(vector);
        using var read = VectorRead.Of(vector, oneBytePerSegment);

        Assert.DoesNotContain(read.Results, r => r.Result is FlvTagResult.MissingConfig or FlvTagResult.UnsupportedCodec);
        AssertTrack(probe.PacketsOf("video").ToList(), read.Video, read.Reader.Video);
        AssertTrack(probe.PacketsOf("audio").ToList(), read.Audio, read.Reader.Audio);
    }

    [Theory]
    [MemberData(nameof(VideoCases))]
    public async Task Keyframes_are_exactly_the_frames_with_an_idr_slice(string vector, bool oneBytePerSegment)
    {
        var packets = (await ProbeResult.OfVectorAsync(vector)).PacketsOf("video").ToList();
        using var read = VectorRead.Of(vector, oneBytePerSegment);
        var nalLengthSize = read.Reader.Video!.NalLengthSize;

        Assert.Equal(packets.Count, read.Video.Count);
        for (var i = 0; i < packets.Count; i++)
        {
            var payload = read.Video[i].Span;
            var offset = 0;
            var hasIdr = false;
            var nals = 0;
            while (offset < payload.Length)
            {
                Assert.True(NalUnit.TryGetNext(payload, nalLengthSize, ref offset, out var nal), $"frame {i}: NAL #{nals} runs past the payload");
                hasIdr |= NalUnit.TypeOf(nal[0]) == NalUnit.TypeIdrSlice;
                nals++;
            }

            Assert.Equal(payload.Length, offset);
            Assert.True(nals > 0);
            Assert.Equal(packets[i].IsKey, hasIdr);
            Assert.Equal(packets[i].IsKey, read.Video[i].IsKeyFrame);
        }
    }

    private static void AssertTrack(List<ProbePacket> expected, List<MediaFrame> actual, CodecConfig? config)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (packet, frame) = (expected[i], actual[i]);
            var where = $"{frame.Kind} frame {i}";
            Assert.True(packet.Dts == frame.Dts, $"{where}: dts {frame.Dts} != ffprobe {packet.Dts}");
            Assert.True(packet.Pts == frame.Pts, $"{where}: pts {frame.Pts} != ffprobe {packet.Pts}");
            Assert.True(packet.IsKey == frame.IsKeyFrame, $"{where}: keyframe {frame.IsKeyFrame} != ffprobe {packet.IsKey}");
            Assert.True(packet.Data.AsSpan().SequenceEqual(frame.Span), $"{where}: payload ({frame.Span.Length} bytes) differs from ffprobe's packet ({packet.Data.Length} bytes)");
            Assert.Same(config, frame.Config);
            Assert.Equal(1, frame.ReferenceCount);
        }
    }

    private static byte ProfileIdc(string? ffprobeProfile) => ffprobeProfile switch
    {
        "Baseline" or "Constrained Baseline" => 66,
        "Main" => 77,
        "High" => 100,
        _ => throw new InvalidOperationException($"no mapping for ffprobe profile {ffprobeProfile}"),
    };

    private static int AudioObjectType(string? ffprobeProfile) => ffprobeProfile switch
    {
        "LC" => 2,
        "HE-AAC" => 5,
        "HE-AACv2" => 29,
        _ => throw new InvalidOperationException($"no mapping for ffprobe AAC profile {ffprobeProfile}"),
    };

    private static TheoryData<string, bool> Cases(IEnumerable<string> vectors)
    {
        var data = new TheoryData<string, bool>();
        foreach (var vector in vectors)
        {
            data.Add(vector, false);
            data.Add(vector, true);
        }

        return data;
    }
}
