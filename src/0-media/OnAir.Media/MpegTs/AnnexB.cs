namespace OnAir.Media.MpegTs;

/// <summary>Splits an H.264 Annex B byte stream (ITU-T H.264 annex B) into NAL units.</summary>
internal static class AnnexB
{
    private static ReadOnlySpan<byte> StartCode => [0x00, 0x00, 0x01];

    /// <summary>
    /// Finds the next NAL unit at or after <paramref name="offset"/> and moves <paramref name="offset"/>
    /// past it. A 4-byte start code is the 3-byte one behind a zero byte, and NAL units never end in
    /// a zero byte (trailing_zero_8bits belong to the stream, not the unit), so trailing zeros are cut.
    /// Emulation prevention guarantees 00 00 01 never occurs inside a unit. Returns false at the end.
    /// </summary>
    public static bool TryGetNext(ReadOnlySpan<byte> data, ref int offset, out int start, out int length)
    {
        start = 0;
        length = 0;
        while (offset < data.Length)
        {
            var found = data[offset..].IndexOf(StartCode);
            if (found < 0)
            {
                offset = data.Length;
                return false; // bytes before the first start code, or after the last unit, are not NAL units
            }

            start = offset + found + StartCode.Length;
            var next = data[start..].IndexOf(StartCode);
            var end = next < 0 ? data.Length : start + next;
            offset = end;
            while (end > start && data[end - 1] == 0)
            {
                end--;
            }

            length = end - start;
            if (length > 0)
            {
                return true;
            }
        }

        return false;
    }
}
