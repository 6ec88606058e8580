using OnAir.Media.Aac;
using OnAir.Media.Avc;

namespace OnAir.Media.Mp4;

/// <summary>
/// The initialization segment of a fragmented MP4 (CMAF header): <c>ftyp</c> and a <c>moov</c>
/// with one track per elementary stream (<c>avc1</c> with the publisher's <c>avcC</c>, <c>mp4a</c>
/// with an <c>esds</c> carrying its AudioSpecificConfig), empty sample tables and an <c>mvex</c>
/// announcing that the samples come in <c>moof</c> fragments (<see cref="Fmp4FragmentWriter"/>).
/// </summary>
public static class Fmp4InitSegment
{
    /// <exception cref="ArgumentException">Neither track given.</exception>
    public static byte[] Create(AvcConfig? video, AacConfig? audio)
    {
        if (video is null && audio is null)
        {
            throw new ArgumentException("An init segment needs a video or an audio track.");
        }

        var buffer = new byte[2048 + (video?.Record.Length ?? 0) + (audio?.Record.Length ?? 0)];
        var box = new BoxWriter(buffer);
        WriteFileType(ref box);
        var moov = box.Begin("moov"u8);
        WriteMovieHeader(ref box);
        if (video is not null)
        {
            WriteVideoTrack(ref box, video);
        }

        if (audio is not null)
        {
            WriteAudioTrack(ref box, audio);
        }

        var mvex = box.Begin("mvex"u8);
        if (video is not null)
        {
            WriteTrackExtends(ref box, Fmp4Tracks.VideoTrackId);
        }

        if (audio is not null)
        {
            WriteTrackExtends(ref box, Fmp4Tracks.AudioTrackId);
        }

        box.End(mvex);
        box.End(moov);
        return buffer[..box.Position];
    }

    private static void WriteFileType(ref BoxWriter box)
    {
        var ftyp = box.Begin("ftyp"u8);
        box.Bytes("iso6"u8);
        box.U32(0);
        box.Bytes("iso6"u8);
        box.Bytes("cmfc"u8);
        box.Bytes("mp41"u8);
        box.End(ftyp);
    }

    private static void WriteMovieHeader(ref BoxWriter box)
    {
        var mvhd = box.BeginFull("mvhd"u8, 0, 0);
        box.U32(0); // creation time
        box.U32(0); // modification time
        box.U32((uint)Fmp4Tracks.Timescale);
        box.U32(0); // duration: unknown, the samples are in the fragments
        box.U32(0x00010000); // rate 1.0
        box.U16(0x0100); // volume 1.0
        box.Zeros(10);
        box.UnityMatrix();
        box.Zeros(24);
        box.U32(Fmp4Tracks.AudioTrackId + 1); // next track id
        box.End(mvhd);
    }

    private static void WriteVideoTrack(ref BoxWriter box, AvcConfig config)
    {
        var trak = box.Begin("trak"u8);
        WriteTrackHeader(ref box, Fmp4Tracks.VideoTrackId, isAudio: false, config.Width, config.Height);
        var mdia = box.Begin("mdia"u8);
        WriteMediaHeader(ref box);
        WriteHandler(ref box, "vide"u8, "VideoHandler"u8);
        var minf = box.Begin("minf"u8);
        var vmhd = box.BeginFull("vmhd"u8, 0, 1);
        box.Zeros(8); // graphics mode, opcolor
        box.End(vmhd);
        WriteDataInformation(ref box);
        var stbl = BeginSampleTable(ref box);
        var avc1 = BeginSampleEntry(ref box, "avc1"u8);
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
        var avcC = box.Begin("avcC"u8);
        box.Bytes(config.Record.Span);
        box.End(avcC);
        box.End(avc1);
        EndSampleTable(ref box, stbl);
        box.End(minf);
        box.End(mdia);
        box.End(trak);
    }

    private static void WriteAudioTrack(ref BoxWriter box, AacConfig config)
    {
        var trak = box.Begin("trak"u8);
        WriteTrackHeader(ref box, Fmp4Tracks.AudioTrackId, isAudio: true, 0, 0);
        var mdia = box.Begin("mdia"u8);
        WriteMediaHeader(ref box);
        WriteHandler(ref box, "soun"u8, "SoundHandler"u8);
        var minf = box.Begin("minf"u8);
        var smhd = box.BeginFull("smhd"u8, 0, 0);
        box.U32(0); // balance, reserved
        box.End(smhd);
        WriteDataInformation(ref box);
        var stbl = BeginSampleTable(ref box);
        var mp4a = BeginSampleEntry(ref box, "mp4a"u8);
        box.Zeros(8); // version, revision, vendor
        box.U16(config.ChannelConfiguration is > 0 and <= 2 ? config.ChannelConfiguration : 2);
        box.U16(16); // sample size
        box.U32(0); // pre-defined, reserved
        box.U32(config.SampleRate <= 0xFFFF ? (uint)config.SampleRate << 16 : 0);
        WriteElementaryStreamDescriptor(ref box, config.Record.Span);
        box.End(mp4a);
        EndSampleTable(ref box, stbl);
        box.End(minf);
        box.End(mdia);
        box.End(trak);
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

    private static void WriteTrackHeader(ref BoxWriter box, int trackId, bool isAudio, int width, int height)
    {
        var tkhd = box.BeginFull("tkhd"u8, 0, 0x000003); // enabled, in movie
        box.U32(0);
        box.U32(0);
        box.U32((uint)trackId);
        box.U32(0); // reserved
        box.U32(0); // duration
        box.Zeros(8);
        box.U16(0); // layer
        box.U16(isAudio ? 1 : 0); // alternate group
        box.U16(isAudio ? 0x0100 : 0); // volume
        box.U16(0);
        box.UnityMatrix();
        box.U32((uint)width << 16);
        box.U32((uint)height << 16);
        box.End(tkhd);
    }

    private static void WriteMediaHeader(ref BoxWriter box)
    {
        var mdhd = box.BeginFull("mdhd"u8, 0, 0);
        box.U32(0);
        box.U32(0);
        box.U32((uint)Fmp4Tracks.Timescale);
        box.U32(0);
        box.U16(0x55C4); // language "und"
        box.U16(0);
        box.End(mdhd);
    }

    private static void WriteHandler(ref BoxWriter box, ReadOnlySpan<byte> handlerType, ReadOnlySpan<byte> name)
    {
        var hdlr = box.BeginFull("hdlr"u8, 0, 0);
        box.U32(0);
        box.Bytes(handlerType);
        box.Zeros(12);
        box.Bytes(name);
        box.U8(0);
        box.End(hdlr);
    }

    private static void WriteDataInformation(ref BoxWriter box)
    {
        var dinf = box.Begin("dinf"u8);
        var dref = box.BeginFull("dref"u8, 0, 0);
        box.U32(1);
        var url = box.BeginFull("url "u8, 0, 1); // media in this file
        box.End(url);
        box.End(dref);
        box.End(dinf);
    }

    private static int BeginSampleTable(ref BoxWriter box)
    {
        var stbl = box.Begin("stbl"u8);
        box.BeginFull("stsd"u8, 0, 0);
        box.U32(1);
        return stbl;
    }

    private static int BeginSampleEntry(ref BoxWriter box, ReadOnlySpan<byte> format)
    {
        var entry = box.Begin(format);
        box.Zeros(6);
        box.U16(1); // data reference index
        return entry;
    }

    /// <summary>Closes stsd (which starts 8 bytes into stbl) and writes the empty sample tables.</summary>
    private static void EndSampleTable(ref BoxWriter box, int stbl)
    {
        box.End(stbl + 8);
        WriteEmptyTable(ref box, "stts"u8);
        WriteEmptyTable(ref box, "stsc"u8);
        WriteEmptyTable(ref box, "stco"u8);

        var stsz = box.BeginFull("stsz"u8, 0, 0);
        box.U32(0); // sample size
        box.U32(0); // sample count
        box.End(stsz);
        box.End(stbl);
    }

    /// <summary>trex: the defaults fragments may omit; OnAir's fragments state every sample's values.</summary>
    private static void WriteTrackExtends(ref BoxWriter box, int trackId)
    {
        var trex = box.BeginFull("trex"u8, 0, 0);
        box.U32((uint)trackId);
        box.U32(1); // sample description index
        box.U32(0); // duration
        box.U32(0); // size
        box.U32(0); // flags
        box.End(trex);
    }

    private static void WriteEmptyTable(ref BoxWriter box, ReadOnlySpan<byte> type)
    {
        var table = box.BeginFull(type, 0, 0);
        box.U32(0); // entry count
        box.End(table);
    }
}
