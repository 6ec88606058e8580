using System.Buffers;
using System.Buffers.Binary;

namespace OnAir.Media.Avc;

/// <summary>A parser of a NAL unit's RBSP (its payload with the emulation prevention bytes removed).</summary>
internal delegate T RbspParser<out T>(ReadOnlySpan<byte> rbsp);

/// <summary>H.264 NAL unit helpers (ITU-T H.264 section 7.3.1); H.265 escapes its NAL units the same way.</summary>
public static class NalUnit
{
    public const byte TypeNonIdrSlice = 1;
    public const byte TypeIdrSlice = 5;
    public const byte TypeSei = 6;
    public const byte TypeSps = 7;
    public const byte TypePps = 8;
    public const byte TypeAccessUnitDelimiter = 9;

    public static byte TypeOf(byte header) => (byte)(header & 0x1F);

    /// <summary>Removes emulation prevention bytes (00 00 03 → 00 00). Returns the RBSP length written to <paramref name="destination"/>.</summary>
    public static int ToRbsp(ReadOnlySpan<byte> nal, Span<byte> destination)
    {
        var written = 0;
        var zeros = 0;
        foreach (var b in nal)
        {
            if (zeros >= 2 && b == 3)
            {
                zeros = 0;
                continue;
            }

            zeros = b == 0 ? zeros + 1 : 0;
            destination[written++] = b;
        }

        return written;
    }

    /// <summary>Parses <paramref name="payload"/> (a NAL unit after its header) as an RBSP, unescaped in a pooled buffer.</summary>
    internal static T ParseRbsp<T>(ReadOnlySpan<byte> payload, RbspParser<T> parse)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(payload.Length, 1));
        try
        {
            var length = ToRbsp(payload, rented);
            return parse(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// One parameter set of a decoder configuration record (avcC, hvcC): a 16-bit length, then the NAL
    /// unit, of at least <paramref name="minLength"/> bytes. <paramref name="what"/> names it in the error.
    /// </summary>
    /// <exception cref="InvalidMediaException">The length or the unit runs past the record.</exception>
    internal static byte[] ReadRecordNal(ReadOnlySpan<byte> record, ref int offset, int minLength, string what)
    {
        if (record.Length - offset < 2)
        {
            throw new InvalidMediaException($"{what} is truncated before its length.");
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(record[offset..]);
        offset += 2;
        if (length < minLength || record.Length - offset < length)
        {
            throw new InvalidMediaException($"{what} of {length} bytes is too short or runs past the record ({record.Length - offset} bytes left).");
        }

        var nal = record.Slice(offset, length).ToArray();
        offset += length;
        return nal;
    }

    /// <summary>Writes <paramref name="nal"/> behind a big-endian length prefix of <paramref name="nalLengthSize"/> bytes (1, 2 or 4); the bytes written.</summary>
    public static int WriteLengthPrefixed(Span<byte> destination, ReadOnlySpan<byte> nal, int nalLengthSize)
    {
        for (var i = 0; i < nalLengthSize; i++)
        {
            destination[i] = (byte)(nal.Length >> (8 * (nalLengthSize - 1 - i)));
        }

        nal.CopyTo(destination[nalLengthSize..]);
        return nalLengthSize + nal.Length;
    }

    /// <summary>
    /// Walks the length-prefixed NAL units of an AVCC access unit. Returns false when a length
    /// runs past the end (the payload is malformed).
    /// </summary>
    public static bool TryGetNext(ReadOnlySpan<byte> accessUnit, int nalLengthSize, ref int offset, out ReadOnlySpan<byte> nal)
    {
        nal = default;
        if (offset + nalLengthSize > accessUnit.Length)
        {
            return false;
        }

        var length = 0;
        for (var i = 0; i < nalLengthSize; i++)
        {
            length = (length << 8) | accessUnit[offset + i];
        }

        offset += nalLengthSize;
        if (length < 0 || length > accessUnit.Length - offset)
        {
            return false;
        }

        nal = accessUnit.Slice(offset, length);
        offset += length;
        return true;
    }
}
