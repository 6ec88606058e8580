namespace OnAir.Packaging.Hls;

/// <summary>
/// One published state of a rendition's media playlist: its bytes (full, and as a delta update when
/// segments can be skipped) and where its live edge is, which is what blocking playlist requests
/// (<c>_HLS_msn</c>, <c>_HLS_part</c>) are answered from. Immutable; the origin reads the latest.
/// </summary>
public sealed class MediaPlaylistSnapshot
{
    private readonly long _firstSequence;
    private readonly int[] _partCounts;

    public MediaPlaylistSnapshot(byte[] playlist, byte[]? delta, IReadOnlyList<SegmentInfo> window, IReadOnlyList<PartInfo> openParts, long openSequence, int targetDuration, double? partTargetSeconds, bool ended, string? preloadHint = null)
    {
        PreloadHint = preloadHint;
        Playlist = playlist;
        Delta = delta;
        TargetDuration = targetDuration;
        PartTargetSeconds = partTargetSeconds;
        IsEnded = ended;
        _firstSequence = window.Count > 0 ? window[0].Sequence : openSequence;
        _partCounts = [.. window.Select(s => s.Parts?.Count ?? 0)];
        LastSequence = window.Count > 0 ? window[^1].Sequence : -1;
        if (openParts.Count > 0)
        {
            LastPartSequence = openSequence;
            LastPart = openParts[^1].Index;
        }
        else
        {
            var withParts = window.LastOrDefault(s => s.Parts is { Count: > 0 });
            LastPartSequence = withParts?.Sequence ?? -1;
            LastPart = withParts is null ? -1 : withParts.Parts![^1].Index;
        }
    }

    public byte[] Playlist { get; }

    /// <summary>The playlist with its oldest segments replaced by EXT-X-SKIP, or null when none can be skipped.</summary>
    public byte[]? Delta { get; }

    public int TargetDuration { get; }

    /// <summary>PART-TARGET, null when the playlist has no parts (LL-HLS off).</summary>
    public double? PartTargetSeconds { get; }

    public bool IsEnded { get; }

    /// <summary>The part named by EXT-X-PRELOAD-HINT: a request for it is held until it exists.</summary>
    public string? PreloadHint { get; }

    public bool PreloadHintIs(string fileName) => string.Equals(PreloadHint, fileName, StringComparison.Ordinal);

    /// <summary>The last complete segment listed (-1 before the first).</summary>
    public long LastSequence { get; }

    /// <summary>The segment of the last part listed, and that part's index (-1, -1 before the first part).</summary>
    public long LastPartSequence { get; }

    public int LastPart { get; }

    /// <summary>
    /// Whether this playlist answers a blocking request for segment <paramref name="msn"/> (complete,
    /// when <paramref name="part"/> is null) or its part <paramref name="part"/>. A part index past
    /// the last part of a complete segment means part 0 of the next one (rfc8216bis section 6.2.5.2).
    /// </summary>
    public bool Satisfies(long msn, int? part)
    {
        if (IsEnded || msn < _firstSequence)
        {
            return true;
        }

        if (part is not { } p)
        {
            return LastSequence >= msn;
        }

        if (msn <= LastSequence)
        {
            if (p < _partCounts[msn - _firstSequence])
            {
                return true;
            }

            msn++;
            p = 0;
        }

        // The next segment complete (a gap segment has no parts), or its part listed while it is written.
        return msn <= LastSequence || msn < LastPartSequence || (msn == LastPartSequence && p <= LastPart);
    }

    /// <summary>A request further ahead than a client following the playlist can make: 400 rather than a held connection.</summary>
    public bool IsTooFarAhead(long msn, int? part, int advancePartLimit)
    {
        if (msn > LastSequence + 2)
        {
            return true;
        }

        if (part is not { } p || LastPartSequence < 0)
        {
            return false;
        }

        var partsAhead = msn == LastPartSequence ? p - LastPart : msn > LastPartSequence ? p + 1 : 0;
        return partsAhead > advancePartLimit;
    }
}
