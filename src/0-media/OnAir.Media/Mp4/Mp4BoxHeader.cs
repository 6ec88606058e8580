using System.Buffers.Binary;

namespace OnAir.Media.Mp4;

/// <summary>The header of an ISO-BMFF box: its type, where its content starts and its whole size (a 64-bit largesize, or "to the end" when the size field is 0).</summary>
public readonly record struct Mp4BoxHeader(uint Type, int HeaderSize, long Size)
{
    public const int MaxHeaderSize = 16;

    public bool Is(ReadOnlySpan<byte> type) => Type == BinaryPrimitives.ReadUInt32BigEndian(type);

    public string TypeName => string.Create(4, Type, static (chars, type) =>
    {
        for (var i = 0; i < 4; i++)
        {
            var c = (char)((type >> (24 - (8 * i))) & 0xFF);
            chars[i] = c is >= ' ' and <= '~' ? c : '?';
        }
    });

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>. <paramref name="available"/> is
    /// how many bytes the box may span (to the end of its parent or file): a size of 0 means all of
    /// them. False when more bytes are needed; <see cref="InvalidMediaException"/> when the size is impossible.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> data, long available, out Mp4BoxHeader header)
    {
        header = default;
        if (data.Length < 8)
        {
            return false;
        }

        long size = BinaryPrimitives.ReadUInt32BigEndian(data);
        var type = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        var headerSize = 8;
        if (size == 1)
        {
            if (data.Length < 16)
            {
                return false;
            }

            var large = BinaryPrimitives.ReadUInt64BigEndian(data[8..]);
            size = large > long.MaxValue ? long.MaxValue : (long)large;
            headerSize = 16;
        }
        else if (size == 0)
        {
            size = available;
        }

        if (size < headerSize)
        {
            throw new InvalidMediaException($"MP4 box '{new Mp4BoxHeader(type, headerSize, 0).TypeName}' declares {size} bytes, less than its own header");
        }

        header = new Mp4BoxHeader(type, headerSize, size);
        return true;
    }

    /// <summary>The content of the child box of <paramref name="type"/> within <paramref name="parent"/> (a box's content), or empty when there is none.</summary>
    public static ReadOnlySpan<byte> FindChild(ReadOnlySpan<byte> parent, ReadOnlySpan<byte> type)
    {
        foreach (var (header, content) in new ChildEnumerator(parent))
        {
            if (header.Is(type))
            {
                return content;
            }
        }

        return [];
    }

    /// <summary>Iterates the boxes inside a box's content; <see cref="InvalidMediaException"/> when one overruns it.</summary>
    public ref struct ChildEnumerator
    {
        private ReadOnlySpan<byte> _rest;

        public ChildEnumerator(ReadOnlySpan<byte> content) => _rest = content;

        public ChildBox Current { get; private set; }

        public readonly ChildEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_rest.IsEmpty)
            {
                return false;
            }

            if (!TryRead(_rest, _rest.Length, out var header) || header.Size > _rest.Length)
            {
                throw new InvalidMediaException($"MP4 box overruns its parent ({_rest.Length} bytes left)");
            }

            var size = (int)header.Size;
            Current = new ChildBox(header, _rest[header.HeaderSize..size]);
            _rest = _rest[size..];
            return true;
        }
    }

    /// <summary>A child box: its header and its content.</summary>
    public readonly ref struct ChildBox(Mp4BoxHeader header, ReadOnlySpan<byte> content)
    {
        public Mp4BoxHeader Header { get; } = header;

        public ReadOnlySpan<byte> Content { get; } = content;

        public void Deconstruct(out Mp4BoxHeader header, out ReadOnlySpan<byte> content)
        {
            header = Header;
            content = Content;
        }
    }
}
