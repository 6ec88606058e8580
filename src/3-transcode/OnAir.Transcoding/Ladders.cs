namespace OnAir.Transcoding;

/// <summary>The ladders every server has (CONTRACT.md), and the lookup of a ladder by name.</summary>
public static class Ladders
{
    public const string DefaultName = "default";
    public const string PassthroughName = "passthrough";

    public static readonly string[] Profiles = ["baseline", "main", "high"];

    public static readonly string[] Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium"];

    /// <summary>source + 720p/480p/360p, bitrates after Apple's HLS authoring guidance for 30 fps.</summary>
    public static LadderOptions Default() => new()
    {
        Renditions =
        [
            new() { Name = "720p", Height = 720, VideoBitrateKbps = 3000, MaxRateKbps = 3300, Profile = "high" },
            new() { Name = "480p", Height = 480, VideoBitrateKbps = 1400, MaxRateKbps = 1600 },
            new() { Name = "360p", Height = 360, VideoBitrateKbps = 800, MaxRateKbps = 900 },
        ],
    };

    /// <summary>source only.</summary>
    public static LadderOptions Passthrough() => new();

    /// <summary>Built-in ladders, overridden or extended by the configured ones (a configured "default" replaces the built-in).</summary>
    public static IReadOnlyDictionary<string, LadderOptions> All(IReadOnlyDictionary<string, LadderOptions> configured)
    {
        var all = new Dictionary<string, LadderOptions>(StringComparer.Ordinal)
        {
            [DefaultName] = Default(),
            [PassthroughName] = Passthrough(),
        };
        foreach (var (name, ladder) in configured)
        {
            all[name] = ladder;
        }

        return all;
    }
}
