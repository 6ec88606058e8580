using System.Buffers.Binary;
using System.Text;

namespace OnAir.Testing;

/// <summary>Finds a box in an MP4 vector by walking the box tree (for records ffmpeg wrote, such as <c>hvcC</c> inside <c>stsd</c>).</summary>
public static class Mp4Box
{
    private static readonly HashSet<string> s_containers = ["moov", "trak", "mdia", "minf", "stbl"];

    /// <summary>The payload of the first box of <paramref name="type"/> (its header excluded).</summary>
    public static byte[] Payload(byte[] file, string type) =>
        Find(file, 0, file.Length, type) ?? throw new InvalidDataException($"no {type} box");

    private static byte[]? Find(byte[] file, int start, int end, string type)
    {
        for (var offset = start; end - offset >= 8;)
        {
            var size = (int)BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(offset));
            var name = Encoding.ASCII.GetString(file, offset + 4, 4);
            if (size < 8 || size > end - offset)
            {
                return null;
            }

            if (name == type)
            {
                return file[(offset + 8)..(offset + size)];
            }

            // stsd: version/flags and an entry count, then sample entries; a visual sample entry has 78 bytes before its boxes.
            var found = name switch
            {
                _ when s_containers.Contains(name) => Find(file, offset + 8, offset + size, type),
                "stsd" => Find(file, offset + 16, offset + size, type),
                "hvc1" or "hev1" or "avc1" => Find(file, offset + 8 + 78, offset + size, type),
                _ => null,
            };
            if (found is not null)
            {
                return found;
            }

            offset += size;
        }

        return null;
    }
}
