using System.Buffers.Binary;
using Microsoft.Extensions.Time.Testing;
using OnAir.WebRtc.Rtp;

namespace OnAir.WebRtc.Tests;

public class RtpTests
{
    [Fact]
    public void Reordered_packets_come_out_in_sequence_and_a_hole_is_asked_for_once()
    {
        var time = new FakeTimeProvider();
        var buffer = new RtpReorderBuffer(time);
        var delivered = new List<(ushort Sequence, bool Loss)>();
        var missing = new List<ushort>();
        void Push(ushort sequence) => buffer.Push(sequence, Packet(sequence), missing, (p, loss) => delivered.Add((BinaryPrimitives.ReadUInt16BigEndian(p[2..]), loss)));

        Push(65534);
        Push(65535);
        Push(2); // 0 and 1 are missing, across the wrap
        Assert.Equal([0, 1], missing);
        missing.Clear();
        Push(3);
        Assert.Empty(missing); // asked once per hole
        Push(0);
        Push(1); // the retransmissions fill the hole: everything goes out in order, no loss
        Assert.Equal([(65534, false), (65535, false), (0, false), (1, false), (2, false), (3, false)], delivered.Select(d => ((int)d.Sequence, d.Loss)).Select(d => ((ushort)d.Item1, d.Loss)));
        Push(1); // a duplicate
        Assert.Equal(1, buffer.Late);
    }

    [Fact]
    public void A_hole_still_open_after_the_wait_is_given_up_and_the_next_packet_says_so()
    {
        var time = new FakeTimeProvider();
        var buffer = new RtpReorderBuffer(time);
        var delivered = new List<(ushort Sequence, bool Loss)>();
        var missing = new List<ushort>();
        RtpReorderBuffer.DeliverHandler deliver = (p, loss) => delivered.Add((BinaryPrimitives.ReadUInt16BigEndian(p[2..]), loss));
        buffer.Push(10, Packet(10), missing, deliver);
        buffer.Push(12, Packet(12), missing, deliver);
        buffer.Expire(deliver);
        Assert.Single(delivered); // still waiting for 11
        time.Advance(RtpReorderBuffer.MaxWait + TimeSpan.FromMilliseconds(1));
        buffer.Expire(deliver);
        Assert.Equal([(10, false), (12, true)], delivered.Select(d => ((int)d.Sequence, d.Loss)).Select(d => ((ushort)d.Item1, d.Loss)));
        Assert.Equal(1, buffer.Lost);
    }

    [Fact]
    public void A_wild_sequence_jump_asks_for_a_bounded_number_of_packets_and_goes_on_after_the_wait()
    {
        var time = new FakeTimeProvider();
        var buffer = new RtpReorderBuffer(time);
        var delivered = new List<ushort>();
        var missing = new List<ushort>();
        RtpReorderBuffer.DeliverHandler deliver = (p, _) => delivered.Add(BinaryPrimitives.ReadUInt16BigEndian(p[2..]));
        buffer.Push(100, Packet(100), missing, deliver);
        buffer.Push(30100, Packet(30100), missing, deliver); // 29,999 "missing"
        Assert.Equal(64, missing.Count); // asked for at most 64
        for (var s = 30101; s < 30101 + RtpReorderBuffer.MaxHeld + 5; s++)
        {
            buffer.Push((ushort)s, Packet((ushort)s), missing, deliver); // a full buffer gives up on the hole at once
        }

        Assert.Equal(RtpReorderBuffer.MaxHeld + 7, delivered.Count); // 100, then every one from 30100 on, in order
        Assert.Equal(Enumerable.Range(30100, RtpReorderBuffer.MaxHeld + 6).Select(s => (ushort)s), delivered.Skip(1));
    }

    [Fact]
    public void NACK_packs_runs_of_sequence_numbers_into_PID_and_bitmask()
    {
        var rtcp = new byte[64];
        var length = RtcpWriter.Nack(rtcp, 1, 2, [100, 101, 103, 116, 117, 200]);
        // 100 with 101, 103, 116 in its mask (bits 0, 2, 15); 117 starts the next; then 200.
        Assert.Equal(12 + (3 * 4), length);
        Assert.Equal(205, rtcp[1]);
        Assert.Equal((length / 4) - 1, BinaryPrimitives.ReadUInt16BigEndian(rtcp.AsSpan(2)));
        Assert.Equal(100, BinaryPrimitives.ReadUInt16BigEndian(rtcp.AsSpan(12)));
        Assert.Equal(0b1000_0000_0000_0101, BinaryPrimitives.ReadUInt16BigEndian(rtcp.AsSpan(14)));
        Assert.Equal(117, BinaryPrimitives.ReadUInt16BigEndian(rtcp.AsSpan(16)));
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(rtcp.AsSpan(18)));
        Assert.Equal(200, BinaryPrimitives.ReadUInt16BigEndian(rtcp.AsSpan(20)));
    }

    private static byte[] Packet(ushort sequence)
    {
        var packet = new byte[20];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        return packet;
    }
}
