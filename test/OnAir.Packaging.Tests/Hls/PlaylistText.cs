using System.Globalization;
using System.Text.RegularExpressions;

namespace OnAir.Packaging.Tests.Hls;

/// <summary>One segment of a media playlist as a player reads it.</summary>
internal sealed record PlaylistSegment(DateTimeOffset ProgramDateTime, string RawProgramDateTime, string RawDuration, double Duration, string Uri, bool Discontinuity, bool Gap = false);

/// <summary>
/// A media playlist parsed strictly (RFC 8216 section 4): every line must be a tag we expect in
/// the place we expect it, so a stray or misplaced line fails the test that parses it.
/// </summary>
internal sealed partial record MediaPlaylistText(int Version, int TargetDuration, long MediaSequence, long DiscontinuitySequence, IReadOnlyList<PlaylistSegment> Segments, bool Ended)
{
    public double TotalDuration => Segments.Sum(s => s.Duration);

    public static MediaPlaylistText Parse(byte[] utf8) => Parse(System.Text.Encoding.UTF8.GetString(utf8));

    public static MediaPlaylistText Parse(string text)
    {
        Assert.EndsWith("\n", text);
        Assert.DoesNotContain("\r", text);
        var lines = text[..^1].Split('\n');
        Assert.Equal("#EXTM3U", lines[0]);

        int? version = null;
        int? targetDuration = null;
        long? mediaSequence = null;
        long? discontinuitySequence = null;
        var discontinuity = false;
        var gap = false;
        var ended = false;
        var segments = new List<PlaylistSegment>();
        string? pdt = null;
        string? extinf = null;
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i];
            Assert.False(ended, $"line {i + 1} '{line}' follows #EXT-X-ENDLIST");
            if (TryValue(line, "#EXT-X-VERSION:", out var v))
            {
                Assert.Null(version);
                version = int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (TryValue(line, "#EXT-X-TARGETDURATION:", out v))
            {
                Assert.Null(targetDuration);
                targetDuration = int.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (TryValue(line, "#EXT-X-MEDIA-SEQUENCE:", out v))
            {
                Assert.Null(mediaSequence);
                Assert.Empty(segments); // must precede the first segment (RFC 8216 section 4.3.3.2)
                mediaSequence = long.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (TryValue(line, "#EXT-X-DISCONTINUITY-SEQUENCE:", out v))
            {
                Assert.Null(discontinuitySequence);
                Assert.Empty(segments); // must precede the first segment (RFC 8216 section 4.3.3.3)
                discontinuitySequence = long.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture);
            }
            else if (line == "#EXT-X-DISCONTINUITY")
            {
                Assert.False(discontinuity);
                Assert.True(pdt is null && extinf is null, "EXT-X-DISCONTINUITY after the segment's other tags");
                discontinuity = true;
            }
            else if (line == "#EXT-X-GAP")
            {
                Assert.False(gap);
                gap = true;
            }
            else if (TryValue(line, "#EXT-X-PROGRAM-DATE-TIME:", out v))
            {
                Assert.Null(pdt);
                pdt = v;
            }
            else if (TryValue(line, "#EXTINF:", out v))
            {
                Assert.Null(extinf);
                Assert.EndsWith(",", v);
                extinf = v[..^1];
            }
            else if (line == "#EXT-X-ENDLIST")
            {
                ended = true;
            }
            else
            {
                Assert.False(line.StartsWith('#'), $"unexpected tag '{line}'");
                Assert.False(string.IsNullOrWhiteSpace(line), $"empty line {i + 1}");
                Assert.True(pdt is not null, $"segment {line} has no #EXT-X-PROGRAM-DATE-TIME");
                Assert.True(extinf is not null, $"segment {line} has no #EXTINF");
                Assert.Matches(ProgramDateTimeFormat(), pdt);
                var when = DateTimeOffset.ParseExact(pdt, "yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
                var duration = double.Parse(extinf, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
                segments.Add(new PlaylistSegment(when, pdt, extinf, duration, line, discontinuity, gap));
                discontinuity = false;
                gap = false;
                pdt = null;
                extinf = null;
            }
        }

        Assert.True(pdt is null && extinf is null && !discontinuity && !gap, "playlist ends with tags of a segment that has no URI");
        Assert.True(version is not null, "no #EXT-X-VERSION");
        Assert.True(targetDuration is not null, "no #EXT-X-TARGETDURATION");
        Assert.True(mediaSequence is not null, "no #EXT-X-MEDIA-SEQUENCE");
        return new MediaPlaylistText(version.Value, targetDuration.Value, mediaSequence.Value, discontinuitySequence ?? 0, segments, ended);
    }

    internal static bool TryValue(string line, string tag, out string value)
    {
        if (line.StartsWith(tag, StringComparison.Ordinal))
        {
            value = line[tag.Length..];
            return true;
        }

        value = "";
        return false;
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex ProgramDateTimeFormat();
}

/// <summary>One variant of a master playlist: its EXT-X-STREAM-INF attributes (values as written, quotes kept) and URI.</summary>
internal sealed record PlaylistVariant(IReadOnlyDictionary<string, string> Attributes, string Uri);

internal sealed partial record MasterPlaylistText(int Version, IReadOnlyList<PlaylistVariant> Variants)
{
    public static MasterPlaylistText Parse(byte[] utf8) => Parse(System.Text.Encoding.UTF8.GetString(utf8));

    public static MasterPlaylistText Parse(string text)
    {
        Assert.EndsWith("\n", text);
        var lines = text[..^1].Split('\n');
        Assert.Equal("#EXTM3U", lines[0]);
        Assert.True(MediaPlaylistText.TryValue(lines[1], "#EXT-X-VERSION:", out var v), lines[1]);
        var variants = new List<PlaylistVariant>();
        for (var i = 2; i < lines.Length; i += 2)
        {
            Assert.True(MediaPlaylistText.TryValue(lines[i], "#EXT-X-STREAM-INF:", out var attributes), $"line {i + 1}: '{lines[i]}'");
            Assert.True(i + 1 < lines.Length, "EXT-X-STREAM-INF without a URI line");
            Assert.False(lines[i + 1].StartsWith('#'), $"line {i + 2} should be the variant's URI: '{lines[i + 1]}'");
            variants.Add(new PlaylistVariant(ParseAttributes(attributes), lines[i + 1]));
        }

        return new MasterPlaylistText(int.Parse(v, CultureInfo.InvariantCulture), variants);
    }

    /// <summary>An attribute list (RFC 8216 section 4.2): NAME=value pairs, quoted strings may hold commas.</summary>
    public static Dictionary<string, string> ParseAttributes(string list)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var position = 0;
        foreach (Match match in Attribute().Matches(list))
        {
            Assert.Equal(position, match.Index);
            Assert.True(result.TryAdd(match.Groups["name"].Value, match.Groups["value"].Value), $"attribute {match.Groups["name"].Value} repeated");
            position = match.Index + match.Length;
        }

        Assert.Equal(list.Length, position);
        return result;
    }

    [GeneratedRegex(@"\G(?<name>[A-Z0-9-]+)=(?<value>""[^""\r\n]*""|[^,""\r\n]*)(,(?!$)|$)")]
    private static partial Regex Attribute();
}
