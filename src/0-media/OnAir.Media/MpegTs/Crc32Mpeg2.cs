namespace OnAir.Media.MpegTs;

/// <summary>
/// CRC-32/MPEG-2 (ISO/IEC 13818-1 annex A): polynomial 0x04C11DB7, initial value 0xFFFFFFFF,
/// no bit reflection, no final XOR. Every PSI section (PAT, PMT) ends with it.
/// </summary>
public static class Crc32Mpeg2
{
    private const uint Polynomial = 0x04C11DB7;

    private static readonly uint[] s_table = BuildTable();

    public static uint Compute(ReadOnlySpan<byte> data) => Compute(data, 0xFFFFFFFFu);

    /// <summary>The same CRC from another initial value: Ogg's page checksum is this polynomial from 0.</summary>
    public static uint Compute(ReadOnlySpan<byte> data, uint initial)
    {
        var crc = initial;
        foreach (var b in data)
        {
            crc = (crc << 8) ^ s_table[(crc >> 24) ^ b];
        }

        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var crc = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ Polynomial : crc << 1;
            }

            table[i] = crc;
        }

        return table;
    }
}
