namespace OnAir.Media.MpegTs;

/// <summary>
/// A PES payload produced piece by piece straight into TS packets, so a frame is converted
/// (AVCC to Annex B, raw AAC to ADTS) while it is packetized instead of into a full copy first.
/// Implementations are ref structs over the frame's own bytes.
/// </summary>
internal interface IPesPayload
{
    /// <summary>Total bytes the payload produces, known up front: PES_packet_length and the stuffing of the last packet depend on it.</summary>
    int Length { get; }

    /// <summary>Copies the next bytes into <paramref name="destination"/>; returns how many (less than its length only at the end).</summary>
    int Read(Span<byte> destination);
}
