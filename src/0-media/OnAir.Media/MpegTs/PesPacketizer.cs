using System.Buffers;

namespace OnAir.Media.MpegTs;

/// <summary>
/// Splits one PES packet (header + payload) into transport packets written directly into the
/// output's memory: the payload is read piece by piece into each packet, never assembled first.
/// </summary>
internal static class PesPacketizer
{
    /// <param name="continuityCounter">The PID's 4-bit counter, advanced once per packet.</param>
    /// <param name="writePcr">Put <paramref name="pcrBase"/> in the first packet (this PID is the program's PCR PID).</param>
    /// <param name="randomAccess">Flag the first packet as a point where decoding can start.</param>
    public static void Write<TPayload>(
        IBufferWriter<byte> output,
        int pid,
        ref int continuityCounter,
        scoped ReadOnlySpan<byte> pesHeader,
        ref TPayload payload,
        bool writePcr,
        long pcrBase,
        bool randomAccess)
        where TPayload : IPesPayload, allows ref struct
    {
        var remaining = pesHeader.Length + payload.Length;
        var first = true;
        while (remaining > 0)
        {
            var capacity = TsPacket.MaxPayload - (first ? TsPacket.AdaptationFieldSize(writePcr, randomAccess) : 0);
            var payloadLength = Math.Min(remaining, capacity);
            var packet = output.GetSpan(TsPacket.Size);
            var body = TsPacket.WriteHeader(
                packet, pid, payloadUnitStart: first, continuityCounter, payloadLength, first && writePcr, pcrBase, first && randomAccess);
            continuityCounter = (continuityCounter + 1) & 0x0F;

            var fromHeader = Math.Min(pesHeader.Length, body.Length);
            pesHeader[..fromHeader].CopyTo(body);
            pesHeader = pesHeader[fromHeader..];
            var fromPayload = body.Length - fromHeader;
            if (fromPayload > 0 && payload.Read(body[fromHeader..]) != fromPayload)
            {
                throw new InvalidOperationException($"PES payload produced fewer bytes than its declared length of {payload.Length}.");
            }

            output.Advance(TsPacket.Size);
            remaining -= payloadLength;
            first = false;
        }
    }
}
