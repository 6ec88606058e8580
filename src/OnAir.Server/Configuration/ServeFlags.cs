namespace OnAir.Server.Configuration;

/// <summary>The flags of <c>onair serve</c> (CONTRACT.md) and the configuration keys they set.</summary>
public static class ServeFlags
{
    /// <summary>Flag → configuration key, for flags that take a value.</summary>
    public static readonly IReadOnlyDictionary<string, string> ValueFlags = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--rtmp-port"] = "rtmpPort",
        ["--rtmps-port"] = "rtmpsPort",
        ["--srt-port"] = "srtPort",
        ["--webrtc-port"] = "webrtcPort",
        ["--http-port"] = "httpPort",
        ["--bind"] = "bind",
        ["--data-dir"] = "dataDir",
        ["--ladder"] = "ladder",
        ["--redis"] = "redis",
    };

    public const string ConfigFlag = "--config";

    /// <summary>Switches → (key, value).</summary>
    public static readonly IReadOnlyDictionary<string, (string Key, string Value)> Switches = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        ["--ll-hls"] = ("llHls", "true"),
        ["--no-ll-hls"] = ("llHls", "false"),
        ["--record"] = ("recording:enabled", "true"),
    };

    public static string Accepted => string.Join(", ", ValueFlags.Keys.Append(ConfigFlag).Concat(Switches.Keys));

    /// <summary>Parses serve's arguments into configuration key/values and the config file path.</summary>
    /// <exception cref="ConfigurationError">An unknown flag or a flag without its value.</exception>
    public static (Dictionary<string, string?> Values, string? ConfigFile) Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string? configFile = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            var eq = arg.IndexOf('=', StringComparison.Ordinal);
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            if (Switches.TryGetValue(arg, out var toggle) && inlineValue is null)
            {
                values[toggle.Key] = toggle.Value;
                continue;
            }

            var isConfig = arg == ConfigFlag;
            if (!isConfig && !ValueFlags.ContainsKey(arg))
            {
                throw new ConfigurationError(arg, $"unknown flag (accepted: {Accepted})");
            }

            var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new ConfigurationError(arg, "needs a value"));
            if (isConfig)
            {
                configFile = value;
            }
            else
            {
                values[ValueFlags[arg]] = value;
            }
        }

        return (values, configFile);
    }
}
