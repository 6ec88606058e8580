namespace OnAir.Media.Mp4;

/// <summary>
/// The head of a progressive ("fast start") MP4 whose media data is already on disk: <c>ftyp</c>,
/// a <c>moov</c> with every sample table, and the header of one <c>mdat</c> that spans the data.
/// The head followed by the data is the whole file, so a recording becomes a progressive MP4
/// without a second copy of its media: the data is the recording's fragments as written (their
/// <c>moof</c> boxes lie unreferenced inside the <c>mdat</c>).
/// </summary>
public static class Mp4ProgressiveHeader
{
    /// <param name="tables">One per track, chunk offsets relative to the start of the data.</param>
    /// <param name="dataLength">Bytes of media data that will follow the head.</param>
    public static byte[] Create(IReadOnlyList<Mp4SampleTable> tables, long dataLength)
    {
        var tracks = tables.Select(t => t.Track).ToList();
        var maxMoov = MovieBox.MaxSize(tracks, tables);
        var wideOffsets = dataLength + maxMoov + 64 > uint.MaxValue;
        var mdatHeader = dataLength + 8 > uint.MaxValue ? 16 : 8;

        // The moov's size does not depend on the offsets' values, only on their width: write it
        // once to learn where the data starts, then again with the offsets moved there.
        var buffer = new byte[maxMoov + 64];
        var headLength = Write(buffer, tables, tracks, 0, wideOffsets, dataLength, mdatHeader);
        var written = Write(buffer, tables, tracks, headLength, wideOffsets, dataLength, mdatHeader);
        return buffer[..written];
    }

    private static int Write(byte[] buffer, IReadOnlyList<Mp4SampleTable> tables, List<Mp4Track> tracks, long dataStart, bool wideOffsets, long dataLength, int mdatHeader)
    {
        var box = new BoxWriter(buffer);
        box.FileType("isom"u8, 0x200, "isomiso2avc1mp41"u8);
        MovieBox.Write(ref box, tracks, tables, dataStart, wideOffsets);
        if (mdatHeader == 16)
        {
            box.U32(1);
            box.Bytes("mdat"u8);
            box.U64((ulong)(dataLength + 16));
        }
        else
        {
            box.U32((uint)(dataLength + 8));
            box.Bytes("mdat"u8);
        }

        return box.Position;
    }
}
