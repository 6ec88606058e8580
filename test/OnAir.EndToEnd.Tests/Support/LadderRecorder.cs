using System.Globalization;
using System.Net;
using OnAir.Testing;
using Xunit;

namespace OnAir.EndToEnd.Tests.Support;

/// <summary>One segment as a player met it: when it was first listed and how its video starts (ffprobe).</summary>
public sealed record RecordedSegment(long Sequence, PlaylistSegment Listed, DateTime FirstSeen, long? FirstVideoPts, bool StartsWithKeyFrame);

/// <summary>
/// Reloads the media playlists of several renditions of a stream like players would, until each
/// has ENDLIST or the time is up, and records every segment once: its listing, when it first
/// appeared, and the PTS and keyframe flag of its first video packet as ffprobe reads them.
/// Every playlist read must parse, and its MEDIA-SEQUENCE may never decrease.
/// </summary>
public sealed class LadderRecorder
{
    private readonly HttpClient _http;
    private readonly Func<string, Uri> _playlistUri;

    public LadderRecorder(HttpClient http, Func<string, Uri> playlistUri)
    {
        _http = http;
        _playlistUri = playlistUri;
    }

    /// <summary>Segments by rendition, then by media sequence number.</summary>
    public Dictionary<string, SortedDictionary<long, RecordedSegment>> Segments { get; } = new(StringComparer.Ordinal);

    /// <summary>The last playlist read of each rendition.</summary>
    public Dictionary<string, MediaPlaylist> Latest { get; } = new(StringComparer.Ordinal);

    /// <summary>Polls until every rendition's playlist has ENDLIST, <paramref name="until"/> holds, or <paramref name="timeout"/> passes.</summary>
    public async Task RecordAsync(IReadOnlyList<string> renditions, TimeSpan timeout, Func<LadderRecorder, bool>? until = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var rendition in renditions)
            {
                await ReloadAsync(rendition);
            }

            if (renditions.All(r => Latest.TryGetValue(r, out var p) && p.Ended) || (until?.Invoke(this) ?? false))
            {
                return;
            }

            await Task.Delay(HlsPoller.ReloadInterval);
        }
    }

    private async Task ReloadAsync(string rendition)
    {
        var uri = _playlistUri(rendition);
        using var response = await _http.GetAsync(uri);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return; // not produced yet
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var playlist = MediaPlaylist.Parse(await response.Content.ReadAsStringAsync());
        if (Latest.TryGetValue(rendition, out var previous))
        {
            Assert.True(playlist.MediaSequence >= previous.MediaSequence, $"{rendition}: MEDIA-SEQUENCE went from {previous.MediaSequence} back to {playlist.MediaSequence}");
            Assert.Equal(previous.TargetDuration, playlist.TargetDuration);
        }

        Latest[rendition] = playlist;
        if (!Segments.TryGetValue(rendition, out var recorded))
        {
            Segments[rendition] = recorded = [];
        }

        for (var i = 0; i < playlist.Segments.Count; i++)
        {
            var sequence = playlist.MediaSequence + i;
            var segment = playlist.Segments[i];
            if (recorded.TryGetValue(sequence, out var known))
            {
                Assert.Equal(known.Listed.Uri, segment.Uri); // a sequence number always names the same segment
                continue;
            }

            var (pts, key) = segment.Gap ? (null, false) : await ProbeFirstVideoPacketAsync(_http, uri, segment);
            recorded[sequence] = new RecordedSegment(sequence, segment, DateTime.UtcNow, pts, key);
        }
    }

    /// <summary>PTS (90 kHz) and keyframe flag of a segment's first video packet.</summary>
    public static async Task<(long? Pts, bool KeyFrame)> ProbeFirstVideoPacketAsync(HttpClient http, Uri playlist, PlaylistSegment listed)
    {
        using var download = await SegmentDownload.FetchAsync(http, playlist, listed);
        var segment = download.Path;
        var (code, stdout, stderr) = await ExternalTool.RunAsync(
            "ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,flags", "-read_intervals", "%+#1", "-of", "csv=p=0", segment],
            TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"ffprobe {segment}: {stderr}");
        var fields = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[0].Split(',');
        return (long.Parse(fields[0], CultureInfo.InvariantCulture), fields[1].StartsWith('K'));
    }
}
