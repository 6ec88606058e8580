namespace OnAir.Media.Mp4;

/// <summary>
/// Scans a fragmented MP4 file box by box (ftyp, moov, then moof + mdat pairs, and a new ftyp +
/// moov wherever the codec parameters changed), reading only the
/// boxes' headers and the moov and moof contents: a recording of an hour is indexed by reading a
/// few hundred kilobytes. Stops at the first box that is incomplete or malformed, which is where a
/// crash cut the file.
/// </summary>
public static class Fmp4FileScanner
{
    /// <summary>A moov or moof larger than this is taken for corruption, not read.</summary>
    public const int MaxMetadataBox = 8 * 1024 * 1024;

    /// <exception cref="InvalidMediaException">The file does not start with an init segment OnAir can read.</exception>
    public static Fmp4FileIndex Scan(Stream file)
    {
        var length = file.Length;
        var header = new byte[Mp4BoxHeader.MaxHeaderSize];
        var fragments = new List<Fmp4Fragment>();
        var inits = new List<Fmp4Init>();
        long? fileTypeAt = null;
        long position = 0, validLength = 0;
        string? stoppedBecause = null;
        (long Offset, List<Fmp4TrackRun> Runs)? pendingMoof = null;
        long? pausedBefore = null;
        while (position < length)
        {
            if (!TryReadHeader(file, position, length, header, out var box) || box.Size > length - position)
            {
                stoppedBecause = $"incomplete box at byte {position} (the file ends at {length})";
                break;
            }

            try
            {
                if (box.Is("ftyp"u8))
                {
                    fileTypeAt = position;
                }
                else if (box.Is("moov"u8))
                {
                    var tracks = Fmp4InitReader.ReadTracks(ReadContent(file, position, box));
                    var start = fileTypeAt ?? position;
                    if (inits.Count > 0 && !SameTracks(inits[0].Tracks, tracks))
                    {
                        throw new InvalidMediaException("an init segment with other tracks than the first");
                    }

                    inits.Add(new Fmp4Init(start, position + box.Size - start, tracks));
                    validLength = position + box.Size;
                    fileTypeAt = null;
                }
                else if (box.Is("moof"u8))
                {
                    if (inits.Count == 0)
                    {
                        throw new InvalidMediaException("a fragment before the init segment");
                    }

                    var runs = Fmp4FragmentReader.Read(ReadContent(file, position, box), position);
                    pendingMoof = runs.Exists(r => r.Samples.Length > 0) ? (position, runs) : throw new InvalidMediaException("moof without samples");
                }
                else if (box.Is("mdat"u8) && pendingMoof is { } moof)
                {
                    var dataStart = position + box.HeaderSize;
                    var dataEnd = position + box.Size;
                    if (moof.Runs.Exists(r => r.DataOffset < dataStart || r.DataLength > dataEnd - r.DataOffset))
                    {
                        throw new InvalidMediaException($"fragment at byte {moof.Offset} points outside its mdat");
                    }

                    fragments.Add(new Fmp4Fragment(moof.Offset, dataEnd - moof.Offset, moof.Runs, pausedBefore, inits.Count - 1));
                    validLength = dataEnd;
                    pendingMoof = null;
                    pausedBefore = null;
                }
                else if (box.Is("free"u8) && box.Size == Fmp4BreakMarker.Size && Fmp4BreakMarker.TryRead(box, ReadContent(file, position, box), out var paused))
                {
                    pausedBefore = (pausedBefore ?? 0) + paused;
                }
            }
            catch (InvalidMediaException ex)
            {
                stoppedBecause = $"{ex.Message} (box '{box.TypeName}' at byte {position})";
                break;
            }

            position += box.Size;
        }

        if (inits.Count == 0 || inits[0].Tracks.Count == 0 || inits[0].Offset != 0)
        {
            throw new InvalidMediaException($"no readable moov in the first {validLength} bytes: not a fragmented MP4 OnAir wrote{(stoppedBecause is null ? "" : "; " + stoppedBecause)}");
        }

        return new Fmp4FileIndex(inits, fragments, validLength, length, stoppedBecause);
    }

    private static bool SameTracks(IReadOnlyList<Mp4Track> first, List<Mp4Track> later) =>
        first.Count == later.Count && first.Zip(later).All(pair => pair.First.TrackId == pair.Second.TrackId && pair.First.Kind == pair.Second.Kind);

    private static bool TryReadHeader(Stream file, long position, long length, byte[] buffer, out Mp4BoxHeader header)
    {
        file.Position = position;
        var read = file.ReadAtLeast(buffer, (int)Math.Min(buffer.Length, length - position), throwOnEndOfStream: false);
        try
        {
            return Mp4BoxHeader.TryRead(buffer.AsSpan(0, read), length - position, out header);
        }
        catch (InvalidMediaException)
        {
            header = default;
            return false;
        }
    }

    private static byte[] ReadContent(Stream file, long position, Mp4BoxHeader box)
    {
        var size = box.Size - box.HeaderSize;
        if (size > MaxMetadataBox)
        {
            throw new InvalidMediaException($"'{box.TypeName}' box of {size} bytes is larger than the {MaxMetadataBox} bytes accepted");
        }

        var content = new byte[size];
        file.Position = position + box.HeaderSize;
        file.ReadExactly(content);
        return content;
    }
}
