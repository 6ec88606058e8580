using System.Buffers.Binary;

namespace OnAir.Testing;

/// <summary>One tag of an FLV file: type 8 audio, 9 video, 18 script data.</summary>
public sealed record FlvTag(byte Type, uint TimestampMs, byte[] Body);

/// <summary>Reads the tags of an FLV file (FLV spec v10.1 annex E.2, E.3); test vectors are FLV files written by ffmpeg.</summary>
public static class FlvFile
{
    public static IReadOnlyList<FlvTag> ReadTags(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 13 || bytes[0] != 'F' || bytes[1] != 'L' || bytes[2] != 'V')
        {
            throw new InvalidDataException($"{path} is not an FLV file.");
        }

        var offset = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(5)) + 4; // header + PreviousTagSize0
        var tags = new List<FlvTag>();
        while (offset + 11 <= bytes.Length)
        {
            var type = (byte)(bytes[offset] & 0x1F);
            var size = (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
            var timestamp = (uint)((bytes[offset + 7] << 24) | (bytes[offset + 4] << 16) | (bytes[offset + 5] << 8) | bytes[offset + 6]);
            var body = bytes.AsSpan(offset + 11, size).ToArray();
            tags.Add(new FlvTag(type, timestamp, body));
            offset += 11 + size + 4;
        }

        return tags;
    }
}
