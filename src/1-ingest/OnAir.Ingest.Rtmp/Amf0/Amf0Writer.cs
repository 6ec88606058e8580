using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace OnAir.Ingest.Rtmp.Amf0;

/// <summary>Encodes the AMF0 values OnAir sends in command replies.</summary>
internal static class Amf0Writer
{
    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        var span = output.GetSpan(9);
        span[0] = (byte)Amf0Type.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    public static void WriteBoolean(IBufferWriter<byte> output, bool value)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)Amf0Type.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        output.Advance(2);
    }

    public static void WriteNull(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = (byte)Amf0Type.Null;
        output.Advance(1);
    }

    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            throw new ArgumentException("AMF0 short string exceeds 65535 bytes.", nameof(value));
        }

        var span = output.GetSpan(3 + length);
        span[0] = (byte)Amf0Type.String;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)length);
        Encoding.UTF8.GetBytes(value, span[3..]);
        output.Advance(3 + length);
    }

    /// <summary>An anonymous object of string, number, boolean and null properties, in the given order.</summary>
    public static void WriteObject(IBufferWriter<byte> output, IEnumerable<KeyValuePair<string, object?>> properties)
    {
        output.GetSpan(1)[0] = (byte)Amf0Type.Object;
        output.Advance(1);
        foreach (var (name, value) in properties)
        {
            WritePropertyName(output, name);
            WriteValue(output, value);
        }

        var end = output.GetSpan(3);
        end[0] = 0;
        end[1] = 0;
        end[2] = (byte)Amf0Type.ObjectEnd;
        output.Advance(3);
    }

    public static void WriteValue(IBufferWriter<byte> output, object? value)
    {
        switch (value)
        {
            case null:
                WriteNull(output);
                break;
            case string s:
                WriteString(output, s);
                break;
            case bool b:
                WriteBoolean(output, b);
                break;
            case double d:
                WriteNumber(output, d);
                break;
            case int i:
                WriteNumber(output, i);
                break;
            case IEnumerable<KeyValuePair<string, object?>> o:
                WriteObject(output, o);
                break;
            default:
                throw new ArgumentException($"AMF0 writer does not encode {value.GetType().Name}.", nameof(value));
        }
    }

    private static void WritePropertyName(IBufferWriter<byte> output, string name)
    {
        var length = Encoding.UTF8.GetByteCount(name);
        var span = output.GetSpan(2 + length);
        BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)length);
        Encoding.UTF8.GetBytes(name, span[2..]);
        output.Advance(2 + length);
    }
}
