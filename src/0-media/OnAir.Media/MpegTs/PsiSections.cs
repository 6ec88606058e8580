namespace OnAir.Media.MpegTs;

/// <summary>
/// Reads the PAT (ISO/IEC 13818-1 section 2.4.4.3) and PMT (section 2.4.4.8) out of complete
/// sections whose CRC <see cref="SectionPid"/> has checked. Every length is checked against the
/// section, so a section that lies about its loops is refused as a whole.
/// </summary>
internal static class PsiSections
{
    public const byte PatTableId = 0x00;
    public const byte PmtTableId = 0x02;

    /// <summary>table_id to last_section_number.</summary>
    private const int LongHeaderSize = 8;
    private const int CrcSize = 4;

    /// <summary>
    /// The programs of one PAT section (program_number 0, the network PID, left out).
    /// <paramref name="isWholeTable"/>: the PAT has this one section, so a program it lacks is gone.
    /// False for a section that is not a PAT section or whose loop does not fit.
    /// </summary>
    public static bool TryReadPat(ReadOnlySpan<byte> section, List<(int ProgramNumber, int PmtPid)> programs, out bool isWholeTable)
    {
        programs.Clear();
        isWholeTable = false;
        if (section[0] != PatTableId)
        {
            return false;
        }

        var loop = section[LongHeaderSize..^CrcSize];
        if (loop.Length % 4 != 0)
        {
            return false;
        }

        for (var i = 0; i < loop.Length; i += 4)
        {
            var programNumber = (loop[i] << 8) | loop[i + 1];
            if (programNumber != 0)
            {
                programs.Add((programNumber, Pid(loop[(i + 2)..])));
            }
        }

        isWholeTable = section[6] == 0 && section[7] == 0;
        return true;
    }

    /// <summary>The elementary streams of one PMT section, in its order. False for a section that is not a PMT or whose loops do not fit.</summary>
    public static bool TryReadPmt(ReadOnlySpan<byte> section, out int programNumber, List<(byte StreamType, int Pid)> streams)
    {
        streams.Clear();
        programNumber = (section[3] << 8) | section[4];
        if (section[0] != PmtTableId || section.Length < LongHeaderSize + 4 + CrcSize)
        {
            return false;
        }

        var body = section[LongHeaderSize..^CrcSize];
        var programInfoLength = ((body[2] & 0x0F) << 8) | body[3]; // after PCR_PID
        var offset = 4 + programInfoLength;
        while (offset < body.Length)
        {
            if (offset + 5 > body.Length)
            {
                return false;
            }

            var esInfoLength = ((body[offset + 3] & 0x0F) << 8) | body[offset + 4];
            streams.Add((body[offset], Pid(body[(offset + 1)..])));
            offset += 5 + esInfoLength;
        }

        return offset == body.Length;
    }

    /// <summary>current_next_indicator 0 announces a table not yet in force; it is ignored until it is sent as current.</summary>
    public static bool IsCurrent(ReadOnlySpan<byte> section) => (section[5] & 0x01) != 0;

    /// <summary>13-bit PID behind three reserved bits.</summary>
    private static int Pid(ReadOnlySpan<byte> field) => ((field[0] & 0x1F) << 8) | field[1];
}
