using System.Buffers.Binary;
using OnAir.Media.Aac;
using OnAir.Media.Avc;

namespace OnAir.Media.Mp4;

/// <summary>
/// What a movie says of one track besides its samples: its id, kind, picture size and its sample
/// description (the whole <c>stsd</c> box, with <c>avc1</c>/<c>avcC</c>, <c>hvc1</c>/<c>hvcC</c> or <c>mp4a</c>/<c>esds</c>).
/// Built from a codec configuration for a new file, or read back from an init segment
/// (<see cref="Fmp4InitReader"/>) so a recording is finalised with exactly what it was written with.
/// </summary>
public sealed record Mp4Track(int TrackId, TrackKind Kind, int Width, int Height, byte[] SampleDescription)
{
    /// <summary>The codec configuration the sample description carries (a <see cref="VideoConfig"/> or an <see cref="AacConfig"/>).</summary>
    /// <exception cref="InvalidMediaException">A sample entry OnAir does not write, or a malformed one.</exception>
    public CodecConfig ReadCodecConfig() => SampleEntryReader.Read(SampleDescription);

    public static Mp4Track Video(VideoConfig config)
    {
        var buffer = new byte[256 + config.Record.Length];
        var box = new BoxWriter(buffer);
        var stsd = BeginSampleDescription(ref box, config.SampleEntryType, out var entry);
        box.U16(0); // pre-defined
        box.U16(0); // reserved
        box.Zeros(12); // pre-defined
        box.U16(config.Width);
        box.U16(config.Height);
        box.U32(0x00480000); // 72 dpi
        box.U32(0x00480000);
        box.U32(0); // reserved
        box.U16(1); // frame count
        box.Zeros(32); // compressor name
        box.U16(0x0018); // depth
        box.U16(0xFFFF); // pre-defined -1
        var record = box.Begin(config.RecordBoxType);
        box.Bytes(config.Record.Span);
        box.End(record);
        box.End(entry);
        box.End(stsd);
        return new Mp4Track(Fmp4Tracks.VideoTrackId, TrackKind.Video, config.Width, config.Height, buffer[..box.Position]);
    }

    public static Mp4Track Audio(AacConfig config)
    {
        var buffer = new byte[256 + config.Record.Length];
        var box = new BoxWriter(buffer);
        var stsd = BeginSampleDescription(ref box, "mp4a"u8, out var mp4a);
        box.Zeros(8); // version, revision, vendor
        box.U16(config.ChannelConfiguration is > 0 and <= 2 ? config.ChannelConfiguration : 2);
        box.U16(16); // sample size
        box.U32(0); // pre-defined, reserved
        box.U32(config.SampleRate <= 0xFFFF ? (uint)config.SampleRate << 16 : 0);
        WriteElementaryStreamDescriptor(ref box, config.Record.Span);
        box.End(mp4a);
        box.End(stsd);
        return new Mp4Track(Fmp4Tracks.AudioTrackId, TrackKind.Audio, 0, 0, buffer[..box.Position]);
    }

    /// <summary>One stsd box with the entries of several (the sample descriptions of a track whose codec parameters changed), in their order.</summary>
    /// <exception cref="InvalidMediaException">One of them is not a well-formed stsd box.</exception>
    public static byte[] JoinSampleDescriptions(IReadOnlyList<byte[]> stsdBoxes)
    {
        if (stsdBoxes.Count == 1)
        {
            return stsdBoxes[0];
        }

        const int header = 16; // size, type, version and flags, entry count
        var entries = 0u;
        var length = header;
        foreach (var stsd in stsdBoxes)
        {
            if (stsd.Length < header || BinaryPrimitives.ReadUInt32BigEndian(stsd) != stsd.Length || !stsd.AsSpan(4, 4).SequenceEqual("stsd"u8))
            {
                throw new InvalidMediaException("not a complete stsd box");
            }

            entries += BinaryPrimitives.ReadUInt32BigEndian(stsd.AsSpan(12));
            length += stsd.Length - header;
        }

        var joined = new byte[length];
        var box = new BoxWriter(joined);
        var outer = box.BeginFull("stsd"u8, 0, 0);
        box.U32(entries);
        foreach (var stsd in stsdBoxes)
        {
            box.Bytes(stsd.AsSpan(header));
        }

        box.End(outer);
        return joined;
    }

    /// <summary>stsd with one entry of <paramref name="format"/>, opened up to the entry's own fields.</summary>
    private static int BeginSampleDescription(ref BoxWriter box, ReadOnlySpan<byte> format, out int entry)
    {
        var stsd = box.BeginFull("stsd"u8, 0, 0);
        box.U32(1);
        entry = box.Begin(format);
        box.Zeros(6);
        box.U16(1); // data reference index
        return stsd;
    }

    /// <summary>esds (ISO/IEC 14496-1 section 7.2.6.5): ES_Descriptor ⊃ DecoderConfigDescriptor ⊃ DecoderSpecificInfo, and the SLConfigDescriptor MP4 requires.</summary>
    private static void WriteElementaryStreamDescriptor(ref BoxWriter box, ReadOnlySpan<byte> audioSpecificConfig)
    {
        var esds = box.BeginFull("esds"u8, 0, 0);
        var decoderSpecific = 2 + audioSpecificConfig.Length;
        var decoderConfig = 2 + 13 + decoderSpecific;
        var sl = 3;
        box.U8(0x03); // ES_DescrTag
        box.U8(3 + decoderConfig + sl);
        box.U16(Fmp4Tracks.AudioTrackId); // ES_ID
        box.U8(0); // no dependency, URL or OCR stream
        box.U8(0x04); // DecoderConfigDescrTag
        box.U8(13 + decoderSpecific);
        box.U8(0x40); // Audio ISO/IEC 14496-3
        box.U8((0x05 << 2) | 1); // audio stream, upstream 0, reserved 1
        box.U24(0); // buffer size
        box.U32(0); // max bitrate
        box.U32(0); // average bitrate: unknown live
        box.U8(0x05); // DecSpecificInfoTag
        box.U8(audioSpecificConfig.Length);
        box.Bytes(audioSpecificConfig);
        box.U8(0x06); // SLConfigDescrTag
        box.U8(1);
        box.U8(0x02); // predefined: MP4
        box.End(esds);
    }
}
