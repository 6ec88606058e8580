using System.Buffers.Binary;

namespace OnAir.Fuzz.Engine;

/// <summary>
/// Makes a new input from a corpus entry with a few stacked mutations, as AFL's havoc stage does:
/// bit flips, interesting bytes and integers (sizes, lengths and limits are where parsers break),
/// inserted, deleted and duplicated ranges, and splices with another entry.
/// </summary>
internal sealed class Mutator
{
    private static readonly byte[] s_bytes = [0, 1, 0x7F, 0x80, 0xFF, 0x10, 0x20, 0x40];
    private static readonly uint[] s_words = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE, 1536, 4096, 65536];

    private readonly Random _random;
    private readonly int _maxLength;

    public Mutator(int seed, int maxLength)
    {
        _random = new Random(seed);
        _maxLength = maxLength;
    }

    public Random Random => _random;

    public byte[] Mutate(byte[] input, IReadOnlyList<byte[]> corpus)
    {
        var data = new List<byte>(input);
        var steps = 1 << _random.Next(4); // 1 to 8
        for (var s = 0; s < steps; s++)
        {
            MutateOnce(data, corpus);
        }

        if (data.Count > _maxLength)
        {
            data.RemoveRange(_maxLength, data.Count - _maxLength);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        if (data.Count == 0)
        {
            data.AddRange(RandomBytes(1 + _random.Next(16)));
            return;
        }

        var at = _random.Next(data.Count);
        switch (_random.Next(11))
        {
            case 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                data[at] = s_bytes[_random.Next(s_bytes.Length)];
                break;
            case 2:
                data[at] = (byte)_random.Next(256);
                break;
            case 3:
                data[at] = (byte)(data[at] + _random.Next(-16, 17));
                break;
            case 4:
                WriteWord(data, at, s_words[_random.Next(s_words.Length)]);
                break;
            case 5:
                data.InsertRange(at, RandomBytes(1 + _random.Next(32)));
                break;
            case 6:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(64)));
                break;
            case 7:
                var length = Math.Min(data.Count - at, 1 + _random.Next(256));
                data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                break;
            case 8:
                var other = corpus[_random.Next(corpus.Count)];
                if (other.Length > 0)
                {
                    var from = _random.Next(other.Length);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(other.AsSpan(from, Math.Min(other.Length - from, 4096)).ToArray());
                }

                break;
            case 9:
                data.RemoveRange(at, data.Count - at); // truncated, as a crash or a slow peer cuts
                break;
            default:
                var donor = corpus[_random.Next(corpus.Count)];
                if (donor.Length > 0)
                {
                    var start = _random.Next(donor.Length);
                    data.InsertRange(at, donor.AsSpan(start, Math.Min(donor.Length - start, 1 + _random.Next(64))).ToArray());
                }

                break;
        }
    }

    /// <summary>1, 2 or 4 bytes of <paramref name="value"/>, big- or little-endian, over the bytes at <paramref name="at"/>.</summary>
    private void WriteWord(List<byte> data, int at, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        if (_random.Next(2) == 0)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        }

        var width = 1 << _random.Next(3);
        var source = _random.Next(2) == 0 ? bytes[(4 - width)..] : bytes[..width];
        for (var i = 0; i < width && at + i < data.Count; i++)
        {
            data[at + i] = source[i];
        }
    }

    private byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }
}
