using System.Buffers.Binary;

namespace OnAir.WebRtc.Rtp;

/// <summary>The RTCP a receiver sends (RFC 3550 receiver report, RFC 4585 generic NACK and PLI), written into a span; each returns its length.</summary>
public static class RtcpWriter
{
    private const byte ReceiverReport = 201;
    private const byte TransportFeedback = 205;
    private const byte PayloadFeedback = 206;

    /// <summary>A receiver report with one block for <paramref name="mediaSsrc"/>: cumulative loss and the extended highest sequence number (no jitter, no SR timing).</summary>
    public static int ReceiverReportFor(Span<byte> destination, uint senderSsrc, uint mediaSsrc, long lost, long highestSequence)
    {
        destination[0] = 0x81; // V=2, RC=1
        destination[1] = ReceiverReport;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 7);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        var cumulative = (uint)Math.Clamp(lost, 0, 0x7FFFFF);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], cumulative); // fraction lost 0, then 24 bits of cumulative loss
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], (uint)Math.Max(0, highestSequence));
        destination.Slice(20, 12).Clear(); // jitter, LSR, DLSR
        return 32;
    }

    /// <summary>Picture Loss Indication: asks the encoder of <paramref name="mediaSsrc"/> for a keyframe.</summary>
    public static int PictureLoss(Span<byte> destination, uint senderSsrc, uint mediaSsrc)
    {
        destination[0] = 0x81; // V=2, FMT=1
        destination[1] = PayloadFeedback;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 2);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        return 12;
    }

    /// <summary>Generic NACK for <paramref name="missing"/> (ascending): one PID/BLP pair per run of up to 17 sequence numbers.</summary>
    public static int Nack(Span<byte> destination, uint senderSsrc, uint mediaSsrc, IReadOnlyList<ushort> missing)
    {
        destination[0] = 0x81; // V=2, FMT=1
        destination[1] = TransportFeedback;
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        var offset = 12;
        for (var i = 0; i < missing.Count && offset + 4 <= destination.Length;)
        {
            var pid = missing[i++];
            ushort mask = 0;
            while (i < missing.Count && (ushort)(missing[i] - pid) is >= 1 and <= 16)
            {
                mask |= (ushort)(1 << ((ushort)(missing[i] - pid) - 1));
                i++;
            }

            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], mask);
            offset += 4;
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)((offset / 4) - 1));
        return offset;
    }
}
