namespace OnAir.Recording;

/// <summary>What is recorded and for how long it is kept. Bound under <c>recording</c> in onair.json; <c>--record</c> sets <see cref="Enabled"/>.</summary>
public sealed class RecordingOptions
{
    /// <summary>Record every broadcast (--record). Default off.</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// Record only these stream names (the channel a key publishes to), even when
    /// <see cref="Enabled"/> is off. Default none.
    /// </summary>
    public List<string> Streams { get; set; } = [];

    /// <summary>Which renditions are recorded: <c>source</c> (the publisher's own, the default) or <c>all</c> (the transcoded rungs too).</summary>
    public string Renditions { get; set; } = "source";

    /// <summary>Finished recordings older than this many hours are deleted. Default 0: kept until deleted or the size limit needs room.</summary>
    public double MaxAgeHours { get; set; }

    /// <summary>
    /// Recordings together may use at most this many megabytes (MiB) of the data directory: the
    /// oldest finished ones are deleted to make room, and when none is left a recording stops with
    /// an error (live delivery never does). Default 0: no limit but the disk's.
    /// </summary>
    public long MaxTotalMegabytes { get; set; }

    public static readonly string[] RenditionChoices = ["source", "all"];

    internal bool RecordsAllRenditions => string.Equals(Renditions, "all", StringComparison.Ordinal);

    internal bool Records(string streamName) => Enabled || Streams.Contains(streamName, StringComparer.Ordinal);

    internal long? MaxTotalBytes => MaxTotalMegabytes > 0 ? MaxTotalMegabytes * 1024 * 1024 : null;
}
