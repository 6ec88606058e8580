namespace OnAir.Media.Avc;

/// <summary>MSB-first bit reader over an RBSP (emulation prevention bytes already removed). Reading past the end throws.</summary>
internal ref struct BitReader
{
    private readonly ReadOnlySpan<byte> _data;
    private int _bitPosition;

    public BitReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _bitPosition = 0;
    }

    public uint ReadBit()
    {
        var byteIndex = _bitPosition >> 3;
        if (byteIndex >= _data.Length)
        {
            throw new InvalidMediaException("SPS is truncated.");
        }

        var bit = (uint)(_data[byteIndex] >> (7 - (_bitPosition & 7))) & 1;
        _bitPosition++;
        return bit;
    }

    public uint ReadBits(int count)
    {
        uint value = 0;
        for (var i = 0; i < count; i++)
        {
            value = (value << 1) | ReadBit();
        }

        return value;
    }

    public bool ReadFlag() => ReadBit() == 1;

    /// <summary>Unsigned Exp-Golomb, ue(v). Bounded to 31 leading zeros.</summary>
    public uint ReadUe()
    {
        var leadingZeros = 0;
        while (ReadBit() == 0)
        {
            if (++leadingZeros > 31)
            {
                throw new InvalidMediaException("SPS has an Exp-Golomb code longer than 32 bits.");
            }
        }

        return leadingZeros == 0 ? 0 : (uint)((1UL << leadingZeros) - 1 + ReadBits(leadingZeros));
    }

    /// <summary>Signed Exp-Golomb, se(v).</summary>
    public int ReadSe()
    {
        var code = ReadUe();
        return (code & 1) == 1 ? (int)((code + 1) / 2) : -(int)(code / 2);
    }
}
