using OnAir.Media.Mp4;

namespace OnAir.Testing;

/// <summary>Reads a codec configuration record out of an MP4 vector ffmpeg wrote, with OnAir.Media's own box reader.</summary>
public static class Mp4Box
{
    private static readonly string[] s_pathToSampleDescription = ["moov", "trak", "mdia", "minf", "stbl", "stsd"];

    /// <summary>The content of <paramref name="recordType"/> (e.g. <c>hvcC</c>) in the first track's <paramref name="entryType"/> sample entry (e.g. <c>hvc1</c>).</summary>
    public static byte[] SampleEntryRecord(byte[] file, string entryType, string recordType)
    {
        ReadOnlySpan<byte> box = file;
        foreach (var type in s_pathToSampleDescription)
        {
            box = Child(box, type);
        }

        var entry = Child(box[8..], entryType); // stsd: version, flags and the entry count first
        return Child(entry[78..], recordType).ToArray(); // a visual sample entry's own fields first
    }

    private static ReadOnlySpan<byte> Child(ReadOnlySpan<byte> parent, string type)
    {
        var content = Mp4BoxHeader.FindChild(parent, System.Text.Encoding.ASCII.GetBytes(type));
        return content.IsEmpty ? throw new InvalidDataException($"no {type} box") : content;
    }
}
