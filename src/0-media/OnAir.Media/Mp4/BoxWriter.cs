using System.Buffers.Binary;

namespace OnAir.Media.Mp4;

/// <summary>
/// Writes ISO-BMFF boxes (ISO/IEC 14496-12) big-endian into a span the caller sized. A box is
/// opened with <see cref="Begin"/> and its size filled in by <see cref="End"/>, so nesting needs no
/// size arithmetic up front.
/// </summary>
internal ref struct BoxWriter
{
    private readonly Span<byte> _buffer;

    public BoxWriter(Span<byte> buffer) => _buffer = buffer;

    public int Position { get; private set; }

    /// <summary>Starts a box of <paramref name="type"/> (four ASCII bytes); returns where it starts.</summary>
    public int Begin(ReadOnlySpan<byte> type)
    {
        var start = Position;
        U32(0);
        Bytes(type);
        return start;
    }

    /// <summary>Starts a full box (version and flags after the type).</summary>
    public int BeginFull(ReadOnlySpan<byte> type, byte version, int flags)
    {
        var start = Begin(type);
        U32(((uint)version << 24) | ((uint)flags & 0xFFFFFF));
        return start;
    }

    /// <summary>ftyp: the major brand (minor version), then the compatible brands, each four ASCII bytes.</summary>
    public void FileType(ReadOnlySpan<byte> majorBrand, uint minorVersion, ReadOnlySpan<byte> compatibleBrands)
    {
        var ftyp = Begin("ftyp"u8);
        Bytes(majorBrand);
        U32(minorVersion);
        Bytes(compatibleBrands);
        End(ftyp);
    }

    public readonly void End(int start) => BinaryPrimitives.WriteUInt32BigEndian(_buffer[start..], (uint)(Position - start));

    /// <summary>Overwrites the 32 bits at <paramref name="position"/> (an entry count known only after the entries).</summary>
    public readonly void PatchU32(int position, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer[position..], value);

    public void U8(int value) => _buffer[Position++] = (byte)value;

    public void U16(int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], (ushort)value);
        Position += 2;
    }

    public void U24(int value)
    {
        U8(value >> 16);
        U16(value);
    }

    public void U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    public void I32(int value) => U32((uint)value);

    public void U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer[Position..], value);
        Position += 8;
    }

    public void Bytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer[Position..]);
        Position += bytes.Length;
    }

    public void Zeros(int count)
    {
        _buffer.Slice(Position, count).Clear();
        Position += count;
    }

    /// <summary>The unity transformation matrix of mvhd and tkhd.</summary>
    public void UnityMatrix()
    {
        U32(0x00010000);
        U32(0);
        U32(0);
        U32(0);
        U32(0x00010000);
        U32(0);
        U32(0);
        U32(0);
        U32(0x40000000);
    }
}
