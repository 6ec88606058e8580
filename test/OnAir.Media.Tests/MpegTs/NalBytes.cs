using System.Buffers.Binary;

namespace OnAir.Media.Tests.MpegTs;

/// <summary>Test-side H.264 byte handling, written independently of the demuxer's.</summary>
internal static class NalBytes
{
    public const int Aud = 9;
    public const int Sps = 7;
    public const int Pps = 8;
    public const int Idr = 5;

    public static int Type(byte[] nal) => nal[0] & 0x1F;

    /// <summary>The NAL units of an Annex B byte stream: everything between start codes, trailing zero bytes cut.</summary>
    public static List<byte[]> SplitAnnexB(ReadOnlySpan<byte> data)
    {
        var starts = new List<int>();
        for (var i = 0; i + 2 < data.Length; i++)
        {
            if (data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1)
            {
                starts.Add(i + 3);
                i += 2;
            }
        }

        var nals = new List<byte[]>();
        for (var n = 0; n < starts.Count; n++)
        {
            var end = n + 1 < starts.Count ? starts[n + 1] - 3 : data.Length;
            while (end > starts[n] && data[end - 1] == 0)
            {
                end--;
            }

            if (end > starts[n])
            {
                nals.Add(data[starts[n]..end].ToArray());
            }
        }

        return nals;
    }

    /// <summary>
    /// The NAL units of an AVCC payload with 4-byte lengths. Null unless the lengths walk exactly to
    /// the end of the payload and every unit is non-empty (a well-formed frame).
    /// </summary>
    public static List<byte[]>? SplitAvcc(ReadOnlySpan<byte> payload)
    {
        var nals = new List<byte[]>();
        var offset = 0;
        while (offset < payload.Length)
        {
            if (payload.Length - offset < 4)
            {
                return null;
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(payload[offset..]);
            offset += 4;
            if (length == 0 || length > (uint)(payload.Length - offset))
            {
                return null;
            }

            nals.Add(payload.Slice(offset, (int)length).ToArray());
            offset += (int)length;
        }

        return nals.Count == 0 ? null : nals;
    }

    /// <summary>AVCC back to Annex B: each unit behind a 4-byte start code.</summary>
    public static byte[] ToAnnexB(IEnumerable<byte[]> nals) => nals.SelectMany(n => (byte[])[0, 0, 0, 1, .. n]).ToArray();
}
