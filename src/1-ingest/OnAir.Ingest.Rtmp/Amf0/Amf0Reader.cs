using System.Buffers.Binary;
using System.Text;

namespace OnAir.Ingest.Rtmp.Amf0;

/// <summary>
/// Decodes AMF0 values (AMF0 specification) into plain .NET values: double, bool, string, null,
/// <see cref="Amf0Undefined"/>, <see cref="Dictionary{TKey,TValue}"/> for objects and ECMA arrays,
/// <see cref="List{T}"/> for strict arrays, <see cref="DateTimeOffset"/> for dates.
/// Bounded: nesting depth and element counts are limited, so hostile input fails fast.
/// Commands are rare (a handful per connection), so allocating the decoded values is fine.
/// </summary>
internal ref struct Amf0Reader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxDepth;
    private int _position;
    private int _elements;

    /// <summary>Total values one command may hold; a publisher's metadata has a few dozen.</summary>
    public const int MaxElements = 4096;

    public Amf0Reader(ReadOnlySpan<byte> data, int maxDepth)
    {
        _data = data;
        _maxDepth = maxDepth;
        _position = 0;
        _elements = 0;
    }

    public readonly bool HasMore => _position < _data.Length;

    /// <exception cref="RtmpProtocolException">Truncated, too deep, too many elements, or an unsupported type.</exception>
    public object? ReadValue() => ReadValue(0);

    private object? ReadValue(int depth)
    {
        if (++_elements > MaxElements)
        {
            throw new RtmpProtocolException($"AMF0 value has more than {MaxElements} elements.");
        }

        var type = (Amf0Type)ReadByte();
        switch (type)
        {
            case Amf0Type.Number:
                return BinaryPrimitives.ReadDoubleBigEndian(Take(8));
            case Amf0Type.Boolean:
                return ReadByte() != 0;
            case Amf0Type.String:
                return ReadUtf8(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
            case Amf0Type.LongString:
            case Amf0Type.XmlDocument:
                return ReadUtf8((int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(Take(4)), int.MaxValue));
            case Amf0Type.Null:
                return null;
            case Amf0Type.Undefined:
            case Amf0Type.Unsupported:
                return Amf0Undefined.Instance;
            case Amf0Type.Object:
                return ReadProperties(depth);
            case Amf0Type.TypedObject:
                ReadUtf8(BinaryPrimitives.ReadUInt16BigEndian(Take(2))); // class name, not needed
                return ReadProperties(depth);
            case Amf0Type.EcmaArray:
                Take(4); // associative count: a hint only, the object-end marker terminates
                return ReadProperties(depth);
            case Amf0Type.StrictArray:
                return ReadStrictArray(depth);
            case Amf0Type.Date:
                var ms = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
                Take(2); // time zone, reserved
                return ms >= -62_135_596_800_000d && ms <= 253_402_300_799_999d ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : DateTimeOffset.UnixEpoch;
            default:
                throw new RtmpProtocolException($"AMF0 type 0x{(byte)type:x2} is not supported.");
        }
    }

    private Dictionary<string, object?> ReadProperties(int depth)
    {
        EnterNested(depth);
        var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (true)
        {
            var nameLength = BinaryPrimitives.ReadUInt16BigEndian(Take(2));
            if (nameLength == 0 && _position < _data.Length && _data[_position] == (byte)Amf0Type.ObjectEnd)
            {
                _position++;
                return properties;
            }

            var name = ReadUtf8(nameLength);
            properties[name] = ReadValue(depth + 1);
        }
    }

    private List<object?> ReadStrictArray(int depth)
    {
        EnterNested(depth);
        var count = BinaryPrimitives.ReadUInt32BigEndian(Take(4));
        if (count > MaxElements || count > _data.Length - _position)
        {
            throw new RtmpProtocolException($"AMF0 strict array of {count} elements exceeds the message.");
        }

        var items = new List<object?>((int)count);
        for (var i = 0; i < count; i++)
        {
            items.Add(ReadValue(depth + 1));
        }

        return items;
    }

    private readonly void EnterNested(int depth)
    {
        if (depth >= _maxDepth)
        {
            throw new RtmpProtocolException($"AMF0 value is nested deeper than {_maxDepth} levels.");
        }
    }

    private string ReadUtf8(int length) => Encoding.UTF8.GetString(Take(length));

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > _data.Length - _position)
        {
            throw new RtmpProtocolException("AMF0 value is truncated.");
        }

        var span = _data.Slice(_position, count);
        _position += count;
        return span;
    }
}
