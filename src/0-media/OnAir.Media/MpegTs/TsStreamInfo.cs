namespace OnAir.Media.MpegTs;

/// <summary>An elementary stream as a PMT declares it.</summary>
/// <param name="ProgramNumber">The program (PMT) that lists it.</param>
/// <param name="Pid">Its packet id; frames carry it in <see cref="TsFrame.Pid"/>.</param>
/// <param name="StreamType">stream_type from the PMT (ISO/IEC 13818-1 table 2-34): 0x1B H.264, 0x24 H.265, 0x0F AAC in ADTS.</param>
/// <param name="Kind">What frames it produces; null for a stream type OnAir does not carry (its packets are ignored).</param>
public sealed record TsStreamInfo(int ProgramNumber, int Pid, byte StreamType, TrackKind? Kind)
{
    public const byte StreamTypeH264 = 0x1B;
    public const byte StreamTypeH265 = 0x24;
    public const byte StreamTypeAdtsAac = 0x0F;

    public bool IsSupported => Kind is not null;
}
