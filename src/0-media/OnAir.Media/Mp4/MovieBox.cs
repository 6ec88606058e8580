namespace OnAir.Media.Mp4;

/// <summary>
/// Writes a <c>moov</c> box: one <c>trak</c> per track, either with empty sample tables and an
/// <c>mvex</c> (a fragmented file's init segment: the samples follow in <c>moof</c>s) or with the
/// full sample tables of a progressive file (<see cref="Mp4SampleTable"/>).
/// </summary>
internal static class MovieBox
{
    /// <summary>Bytes enough for the moov of these tracks (and tables).</summary>
    public static int MaxSize(IReadOnlyList<Mp4Track> tracks, IReadOnlyList<Mp4SampleTable>? tables)
    {
        var size = 1024;
        foreach (var track in tracks)
        {
            size += 1024 + track.SampleDescription.Length;
        }

        foreach (var table in tables ?? [])
        {
            // stts + ctts + stsz + stss per sample at worst, stsc + co64 per chunk.
            size += (table.Samples.Count * 24) + (table.Chunks.Count * 20) + table.SampleDescriptions.Sum(d => d.Length);
        }

        return size;
    }

    /// <param name="tables">Null for an init segment; else one per track, in the same order.</param>
    /// <param name="chunkOffsetBase">Added to the tables' chunk offsets: where their media data starts in the file.</param>
    /// <param name="wideOffsets">Chunk offsets as 64-bit <c>co64</c> (a file over 4 GiB) rather than <c>stco</c>.</param>
    public static void Write(ref BoxWriter box, IReadOnlyList<Mp4Track> tracks, IReadOnlyList<Mp4SampleTable>? tables, long chunkOffsetBase = 0, bool wideOffsets = false)
    {
        var movieDuration = 0L;
        foreach (var table in tables ?? [])
        {
            movieDuration = Math.Max(movieDuration, table.PresentedDuration);
        }

        var moov = box.Begin("moov"u8);
        WriteMovieHeader(ref box, movieDuration);
        for (var i = 0; i < tracks.Count; i++)
        {
            WriteTrack(ref box, tracks[i], tables?[i], chunkOffsetBase, wideOffsets);
        }

        if (tables is null)
        {
            var mvex = box.Begin("mvex"u8);
            foreach (var track in tracks)
            {
                WriteTrackExtends(ref box, track.TrackId);
            }

            box.End(mvex);
        }

        box.End(moov);
    }

    private static void WriteMovieHeader(ref BoxWriter box, long duration)
    {
        var version = VersionFor(duration);
        var mvhd = box.BeginFull("mvhd"u8, version, 0);
        WriteClock(ref box, version, duration);
        box.U32(0x00010000); // rate 1.0
        box.U16(0x0100); // volume 1.0
        box.Zeros(10);
        box.UnityMatrix();
        box.Zeros(24);
        box.U32(Fmp4Tracks.AudioTrackId + 1); // next track id
        box.End(mvhd);
    }

    private static void WriteTrack(ref BoxWriter box, Mp4Track track, Mp4SampleTable? table, long chunkOffsetBase, bool wideOffsets)
    {
        var isAudio = track.Kind == TrackKind.Audio;
        var trak = box.Begin("trak"u8);
        WriteTrackHeader(ref box, track, table?.PresentedDuration ?? 0);
        if (table is not null)
        {
            WriteEditList(ref box, table);
        }

        var mdia = box.Begin("mdia"u8);
        WriteMediaHeader(ref box, table?.Duration ?? 0);
        WriteHandler(ref box, isAudio ? "soun"u8 : "vide"u8, isAudio ? "SoundHandler"u8 : "VideoHandler"u8);
        var minf = box.Begin("minf"u8);
        if (isAudio)
        {
            var smhd = box.BeginFull("smhd"u8, 0, 0);
            box.U32(0); // balance, reserved
            box.End(smhd);
        }
        else
        {
            var vmhd = box.BeginFull("vmhd"u8, 0, 1);
            box.Zeros(8); // graphics mode, opcolor
            box.End(vmhd);
        }

        WriteDataInformation(ref box);
        var stbl = box.Begin("stbl"u8);
        box.Bytes(table?.SampleDescription ?? track.SampleDescription);
        if (table is null)
        {
            WriteEmptyTable(ref box, "stts"u8);
            WriteEmptyTable(ref box, "stsc"u8);
            WriteEmptyTable(ref box, "stco"u8);
            var stsz = box.BeginFull("stsz"u8, 0, 0);
            box.U32(0); // sample size
            box.U32(0); // sample count
            box.End(stsz);
        }
        else
        {
            SampleTableBoxes.Write(ref box, table, chunkOffsetBase, wideOffsets);
        }

        box.End(stbl);
        box.End(minf);
        box.End(mdia);
        box.End(trak);
    }

    private static void WriteTrackHeader(ref BoxWriter box, Mp4Track track, long duration)
    {
        var version = VersionFor(duration);
        var tkhd = box.BeginFull("tkhd"u8, version, 0x000003); // enabled, in movie
        WriteTimes(ref box, version);
        box.U32((uint)track.TrackId);
        box.U32(0); // reserved
        WriteDuration(ref box, version, duration);
        box.Zeros(8);
        box.U16(0); // layer
        var isAudio = track.Kind == TrackKind.Audio;
        box.U16(isAudio ? 1 : 0); // alternate group
        box.U16(isAudio ? 0x0100 : 0); // volume
        box.U16(0);
        box.UnityMatrix();
        box.U32((uint)track.Width << 16);
        box.U32((uint)track.Height << 16);
        box.End(tkhd);
    }

    /// <summary>edts/elst: the track's media plays from <see cref="Mp4SampleTable.PresentationStart"/>.</summary>
    private static void WriteEditList(ref BoxWriter box, Mp4SampleTable table)
    {
        if (table.PresentationStart <= 0)
        {
            return;
        }

        var edts = box.Begin("edts"u8);
        var elst = box.BeginFull("elst"u8, 1, 0);
        box.U32(1);
        box.U64((ulong)table.PresentedDuration);
        box.U64((ulong)table.PresentationStart);
        box.U32(0x00010000); // rate 1.0
        box.End(elst);
        box.End(edts);
    }

    private static void WriteMediaHeader(ref BoxWriter box, long duration)
    {
        var version = VersionFor(duration);
        var mdhd = box.BeginFull("mdhd"u8, version, 0);
        WriteClock(ref box, version, duration);
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

    /// <summary>Version 1 (64-bit times) only when a duration does not fit 32 bits (13 hours at 90 kHz).</summary>
    private static byte VersionFor(long duration) => duration > uint.MaxValue ? (byte)1 : (byte)0;

    /// <summary>mvhd's and mdhd's creation and modification times, timescale and duration.</summary>
    private static void WriteClock(ref BoxWriter box, byte version, long duration)
    {
        WriteTimes(ref box, version);
        box.U32((uint)Fmp4Tracks.Timescale);
        WriteDuration(ref box, version, duration);
    }

    private static void WriteTimes(ref BoxWriter box, byte version)
    {
        if (version == 1)
        {
            box.U64(0);
            box.U64(0);
        }
        else
        {
            box.U32(0); // creation time
            box.U32(0); // modification time
        }
    }

    private static void WriteDuration(ref BoxWriter box, byte version, long duration)
    {
        if (version == 1)
        {
            box.U64((ulong)duration);
        }
        else
        {
            box.U32((uint)duration);
        }
    }
}
