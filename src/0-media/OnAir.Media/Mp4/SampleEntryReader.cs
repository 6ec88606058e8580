using OnAir.Media.Aac;
using OnAir.Media.Avc;
using OnAir.Media.Hevc;

namespace OnAir.Media.Mp4;

/// <summary>Reads the codec configuration back out of an <c>stsd</c> box: avc1's <c>avcC</c>, hvc1's <c>hvcC</c>, or the AudioSpecificConfig inside mp4a's <c>esds</c>.</summary>
internal static class SampleEntryReader
{
    private const int VisualEntryFields = 8 + 70; // reserved + data reference index, then the visual sample entry's fields
    private const int AudioEntryFields = 8 + 20;

    public static CodecConfig Read(ReadOnlySpan<byte> stsdBox)
    {
        if (!Mp4BoxHeader.TryRead(stsdBox, stsdBox.Length, out var stsd) || stsd.Size > stsdBox.Length || stsd.Size < stsd.HeaderSize + 8)
        {
            throw new InvalidMediaException("MP4 stsd box is truncated");
        }

        var entries = stsdBox[(stsd.HeaderSize + 8)..(int)stsd.Size];
        foreach (var (entry, content) in new Mp4BoxHeader.ChildEnumerator(entries))
        {
            if (entry.Is("avc1"u8) && content.Length > VisualEntryFields)
            {
                var avcC = Mp4BoxHeader.FindChild(content[VisualEntryFields..], "avcC"u8);
                return avcC.IsEmpty ? throw new InvalidMediaException("MP4 avc1 entry without avcC") : AvcConfig.Parse(avcC);
            }

            if (entry.Is("hvc1"u8) && content.Length > VisualEntryFields)
            {
                var hvcC = Mp4BoxHeader.FindChild(content[VisualEntryFields..], "hvcC"u8);
                return hvcC.IsEmpty ? throw new InvalidMediaException("MP4 hvc1 entry without hvcC") : HevcConfig.Parse(hvcC);
            }

            if (entry.Is("mp4a"u8) && content.Length > AudioEntryFields)
            {
                var esds = Mp4BoxHeader.FindChild(content[AudioEntryFields..], "esds"u8);
                return AacConfig.Parse(AudioSpecificConfig(esds));
            }

            throw new InvalidMediaException($"MP4 sample entry '{entry.TypeName}' is not one OnAir records (avc1, hvc1, mp4a)");
        }

        throw new InvalidMediaException("MP4 stsd box without an entry");
    }

    /// <summary>esds: version and flags, then ES_Descriptor (0x03) ⊃ DecoderConfigDescriptor (0x04) ⊃ DecoderSpecificInfo (0x05).</summary>
    private static ReadOnlySpan<byte> AudioSpecificConfig(ReadOnlySpan<byte> esds)
    {
        var at = 4;
        var es = Descriptor(esds, ref at, 0x03);
        var flags = es.Length >= 3 ? es[2] : throw new InvalidMediaException("MP4 ES_Descriptor is truncated");
        // ES_ID, flags, then the optional dependsOn_ES_ID (0x80), URL (0x40: length + string) and OCR_ES_Id (0x20).
        var inner = 3 + ((flags & 0x80) != 0 ? 2 : 0);
        if ((flags & 0x40) != 0)
        {
            inner += 1 + (inner < es.Length ? es[inner] : throw new InvalidMediaException("MP4 ES_Descriptor URL is truncated"));
        }

        inner += (flags & 0x20) != 0 ? 2 : 0;
        var decoderConfig = Descriptor(es, ref inner, 0x04);
        var specificAt = 13;
        return Descriptor(decoderConfig, ref specificAt, 0x05);
    }

    /// <summary>A descriptor of <paramref name="tag"/> at <paramref name="at"/>: its content; the length is 1-4 bytes of 7 bits each.</summary>
    private static ReadOnlySpan<byte> Descriptor(ReadOnlySpan<byte> data, scoped ref int at, byte tag)
    {
        if (at >= data.Length || data[at] != tag)
        {
            throw new InvalidMediaException($"MP4 esds lacks descriptor 0x{tag:x2}");
        }

        at++;
        var length = 0;
        for (var i = 0; i < 4; i++)
        {
            if (at >= data.Length)
            {
                throw new InvalidMediaException("MP4 esds descriptor length is truncated");
            }

            var b = data[at++];
            length = (length << 7) | (b & 0x7F);
            if ((b & 0x80) == 0)
            {
                break;
            }
        }

        if (length > data.Length - at)
        {
            throw new InvalidMediaException($"MP4 esds descriptor 0x{tag:x2} overruns its box");
        }

        var content = data.Slice(at, length);
        at += length;
        return content;
    }
}
