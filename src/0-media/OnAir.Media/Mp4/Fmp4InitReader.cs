using System.Buffers.Binary;

namespace OnAir.Media.Mp4;

/// <summary>Reads the tracks (id, kind, picture size, sample description) back from an init segment's <c>moov</c>.</summary>
public static class Fmp4InitReader
{
    /// <param name="moovContent">The content of the moov box (after its header).</param>
    /// <exception cref="InvalidMediaException">A track lacks what the finaliser needs, or a box overruns.</exception>
    public static List<Mp4Track> ReadTracks(ReadOnlySpan<byte> moovContent)
    {
        var tracks = new List<Mp4Track>(2);
        foreach (var (header, trak) in new Mp4BoxHeader.ChildEnumerator(moovContent))
        {
            if (!header.Is("trak"u8))
            {
                continue;
            }

            var tkhd = Mp4BoxHeader.FindChild(trak, "tkhd"u8);
            var mdia = Mp4BoxHeader.FindChild(trak, "mdia"u8);
            var hdlr = Mp4BoxHeader.FindChild(mdia, "hdlr"u8);
            var stsdContent = Mp4BoxHeader.FindChild(Mp4BoxHeader.FindChild(Mp4BoxHeader.FindChild(mdia, "minf"u8), "stbl"u8), "stsd"u8);
            if (tkhd.Length < 84 || hdlr.Length < 12 || stsdContent.IsEmpty)
            {
                throw new InvalidMediaException("MP4 track without a complete tkhd, hdlr or stsd");
            }

            var version = tkhd[0];
            var trackId = (int)BinaryPrimitives.ReadUInt32BigEndian(tkhd[(version == 1 ? 20 : 12)..]);
            var sizeAt = tkhd.Length - 8;
            var width = (int)(BinaryPrimitives.ReadUInt32BigEndian(tkhd[sizeAt..]) >> 16);
            var height = (int)(BinaryPrimitives.ReadUInt32BigEndian(tkhd[(sizeAt + 4)..]) >> 16);
            var handler = hdlr.Slice(8, 4);
            var kind = handler.SequenceEqual("vide"u8) ? TrackKind.Video : handler.SequenceEqual("soun"u8) ? TrackKind.Audio : (TrackKind?)null;
            if (kind is null)
            {
                continue; // neither video nor audio: not something OnAir writes
            }

            // The stsd box whole: its header was 8 bytes before its content.
            var stsd = new byte[stsdContent.Length + 8];
            BinaryPrimitives.WriteUInt32BigEndian(stsd, (uint)stsd.Length);
            "stsd"u8.CopyTo(stsd.AsSpan(4));
            stsdContent.CopyTo(stsd.AsSpan(8));
            tracks.Add(new Mp4Track(trackId, kind.Value, width, height, stsd));
        }

        return tracks;
    }
}
