using System.Buffers.Binary;
using OnAir.Media;
using OnAir.Media.Avc;
using OnAir.Testing;
using OnAir.WebRtc.Rtp;

namespace OnAir.WebRtc.Tests;

/// <summary>
/// ffmpeg's H.264 (the 2 s 320x240 vector) packetized here the way browsers do it (RFC 6184 mode 1:
/// SPS and PPS in a STAP-A before each IDR, NAL units up to 1200 bytes alone, larger ones in FU-A
/// fragments), then depacketized: the frames must come back byte for byte.
/// </summary>
public class H264DepacketizerTests
{
    private const int Mtu = 1200;

    [Fact]
    public void Every_access_unit_comes_back_byte_for_byte_with_its_configuration()
    {
        var source = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _).Where(f => f.Kind == TrackKind.Video).ToList();
        var depacketizer = new H264Depacketizer();
        var output = new List<MediaFrame>();
        foreach (var (frame, index) in source.Select((f, i) => (f, i)))
        {
            foreach (var (payload, marker) in Packetize(frame))
            {
                if (depacketizer.Push(payload, RtpTimestamp(frame), marker, lossBefore: false) is { } completed)
                {
                    output.Add(completed);
                }
            }
        }

        Assert.Equal(source.Count, output.Count);
        for (var i = 0; i < source.Count; i++)
        {
            Assert.Equal(source[i].IsKeyFrame, output[i].IsKeyFrame);
            Assert.Equal(source[i].Span.ToArray(), output[i].Span.ToArray());
            Assert.Equal(source[i].Dts - source[0].Dts, output[i].Dts);
            Assert.Equal(((AvcConfig)source[i].Config).Width, ((AvcConfig)output[i].Config).Width);
        }

        Assert.False(depacketizer.NeedsKeyFrame);
    }

    [Fact]
    public void After_a_lost_fragment_nothing_goes_out_until_the_next_IDR_and_a_keyframe_is_asked_for()
    {
        var source = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _).Where(f => f.Kind == TrackKind.Video).ToList();
        var secondIdr = source.FindIndex(1, f => f.IsKeyFrame);
        Assert.True(secondIdr > 2, "the vector has two GOPs");
        var depacketizer = new H264Depacketizer();
        var output = new List<MediaFrame>();
        var lost = 1; // every packet of the first non-IDR frame is lost
        for (var i = 0; i < source.Count; i++)
        {
            if (i == lost)
            {
                continue;
            }

            var packets = Packetize(source[i]).ToList();
            for (var p = 0; p < packets.Count; p++)
            {
                if (depacketizer.Push(packets[p].Payload, RtpTimestamp(source[i]), packets[p].Marker, lossBefore: i == lost + 1 && p == 0) is { } completed)
                {
                    output.Add(completed);
                }
            }

            Assert.Equal(i > lost && i < secondIdr, depacketizer.NeedsKeyFrame);
        }

        Assert.Equal(1 + (source.Count - secondIdr), output.Count); // the first IDR, then from the second IDR on
        Assert.True(output[1].IsKeyFrame);
        Assert.False(depacketizer.NeedsKeyFrame);
        Assert.Equal(secondIdr - 2, depacketizer.Dropped); // the frame after the loss (it refers to the lost one) and the rest of the GOP
    }

    [Fact]
    public void A_fragment_that_never_ends_breaks_its_access_unit_instead_of_corrupting_it()
    {
        var idr = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _).First(f => f.Kind == TrackKind.Video && f.IsKeyFrame);
        var packets = Packetize(idr).ToList();
        var fragments = packets.Where(p => (p.Payload[0] & 0x1F) == 28).ToList();
        Assert.True(fragments.Count >= 2, "the IDR is fragmented");
        var depacketizer = new H264Depacketizer();
        foreach (var (payload, _) in packets.TakeWhile(p => p.Payload != fragments[1].Payload))
        {
            Assert.Null(depacketizer.Push(payload, 1, marker: false, lossBefore: false)); // a start, then (the end lost)...
        }

        Assert.Null(depacketizer.Push(fragments[0].Payload, 1, marker: true, lossBefore: false)); // ...a new start: broken, dropped
        Assert.Equal(1, depacketizer.Dropped);
        Assert.True(depacketizer.NeedsKeyFrame);
    }

    [Fact]
    public void Random_and_mutated_payloads_never_throw()
    {
        var source = FlvVector.ReadFrames("h264-aac-320x240-2s.flv", out _).Where(f => f.Kind == TrackKind.Video).Take(10).ToList();
        var packets = source.SelectMany(f => Packetize(f).Select(p => (p.Payload, p.Marker, Timestamp: RtpTimestamp(f)))).ToList();
        var random = new Random(9);
        var depacketizer = new H264Depacketizer();
        for (var i = 0; i < 30_000; i++)
        {
            var (payload, marker, timestamp) = packets[random.Next(packets.Count)];
            var mutated = payload.ToArray();
            if (mutated.Length > 0)
            {
                mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            }

            depacketizer.Push(mutated.AsSpan(0, random.Next(mutated.Length + 1)), timestamp, marker, random.Next(10) == 0)?.Release();
        }
    }

    private static uint RtpTimestamp(MediaFrame frame) => (uint)(frame.Dts + 1_000_000); // any origin: the depacketizer counts from its first

    /// <summary>RFC 6184 packetization-mode 1, as browsers send it.</summary>
    private static IEnumerable<(byte[] Payload, bool Marker)> Packetize(MediaFrame frame)
    {
        var config = (AvcConfig)frame.Config;
        var packets = new List<byte[]>();
        if (frame.IsKeyFrame)
        {
            var sps = config.SpsList[0];
            var pps = config.PpsList[0];
            var stap = new byte[1 + 2 + sps.Length + 2 + pps.Length];
            stap[0] = (byte)((sps[0] & 0x60) | 24);
            BinaryPrimitives.WriteUInt16BigEndian(stap.AsSpan(1), (ushort)sps.Length);
            sps.CopyTo(stap, 3);
            BinaryPrimitives.WriteUInt16BigEndian(stap.AsSpan(3 + sps.Length), (ushort)pps.Length);
            pps.CopyTo(stap, 5 + sps.Length);
            packets.Add(stap);
        }

        var offset = 0;
        while (NalUnit.TryGetNext(frame.Span, config.NalLengthSize, ref offset, out var nal))
        {
            if (nal.Length <= Mtu)
            {
                packets.Add(nal.ToArray());
                continue;
            }

            for (var start = 1; start < nal.Length; start += Mtu)
            {
                var chunk = nal[start..Math.Min(nal.Length, start + Mtu)];
                var fu = new byte[2 + chunk.Length];
                fu[0] = (byte)((nal[0] & 0xE0) | 28);
                fu[1] = (byte)((start == 1 ? 0x80 : 0) | (start + Mtu >= nal.Length ? 0x40 : 0) | (nal[0] & 0x1F));
                chunk.CopyTo(fu.AsSpan(2));
                packets.Add(fu);
            }
        }

        return packets.Select((p, i) => (p, i == packets.Count - 1));
    }
}
