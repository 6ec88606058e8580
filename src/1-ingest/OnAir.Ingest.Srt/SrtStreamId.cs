namespace OnAir.Ingest.Srt;

/// <summary>
/// The stream key in an SRT caller's stream id (SRTO_STREAMID), in the forms publishers use:
/// SRT's access-control syntax <c>#!::r=live/KEY,m=publish</c> (keys in any order; <c>m</c> may be
/// left out), the plain <c>live/KEY</c> or <c>KEY</c>, and MediaMTX's <c>publish:live/KEY</c>.
/// OnAir takes publishers only: <c>m=request</c> (a player) is refused with a reason. A
/// percent-encoded id (<c>%23!::r=...</c>, as URLs need it) is decoded first.
/// </summary>
public static class SrtStreamId
{
    private const string AccessControlPrefix = "#!::";
    private const string PublishPrefix = "publish:";
    private const int MaxPairs = 16;

    /// <summary>The key <paramref name="streamId"/> publishes to, or null and why not (a sentence for the log and the publisher).</summary>
    /// <param name="app">The application path segment that may precede the key (RTMP's, "live").</param>
    public static string? KeyOf(string streamId, string app, out string? error)
    {
        error = null;
        if (streamId.Contains('%', StringComparison.Ordinal))
        {
            streamId = Uri.UnescapeDataString(streamId); // ffmpeg passes the streamid of its URL as written: %23!::r=...
        }

        string resource;
        if (streamId.StartsWith(AccessControlPrefix, StringComparison.Ordinal))
        {
            if (!TryReadAccessControl(streamId.AsSpan(AccessControlPrefix.Length), out var r, out error))
            {
                return null;
            }

            resource = r!;
        }
        else
        {
            resource = streamId.StartsWith(PublishPrefix, StringComparison.Ordinal) ? streamId[PublishPrefix.Length..] : streamId;
        }

        if (resource.StartsWith(app + "/", StringComparison.Ordinal))
        {
            resource = resource[(app.Length + 1)..];
        }

        if (resource.Length == 0)
        {
            error = $"no stream key in the stream id '{streamId}': publish with streamid={app}/STREAM_KEY or streamid=#!::r={app}/STREAM_KEY,m=publish";
            return null;
        }

        return resource;
    }

    private static bool TryReadAccessControl(ReadOnlySpan<char> pairs, out string? resource, out string? error)
    {
        resource = null;
        error = null;
        var count = 0;
        foreach (var range in pairs.Split(','))
        {
            var pair = pairs[range];
            if (++count > MaxPairs)
            {
                error = $"the stream id has more than {MaxPairs} key=value pairs";
                return false;
            }

            var eq = pair.IndexOf('=');
            if (eq <= 0)
            {
                error = "a part of the stream id is not key=value (expected #!::r=live/STREAM_KEY,m=publish)"; // not echoed: it may be the key
                return false;
            }

            var key = pair[..eq];
            var value = pair[(eq + 1)..];
            if (key.SequenceEqual("r"))
            {
                resource = value.ToString();
            }
            else if (key.SequenceEqual("m") && !value.SequenceEqual("publish"))
            {
                error = $"mode m={value} is not served: OnAir takes SRT publishers (m=publish); players watch over HLS";
                return false;
            }
        }

        if (resource is null)
        {
            error = "the stream id names no resource: add r=live/STREAM_KEY (e.g. #!::r=live/STREAM_KEY,m=publish)";
            return false;
        }

        return true;
    }
}
