using System.Collections;

namespace OnAir.Server.Configuration;

/// <summary>
/// ONAIR_* environment variables as configuration keys: ONAIR_HTTP_PORT → httpport,
/// ONAIR_HLS__WINDOW_SEGMENTS → hls:windowsegments (double underscore nests, single underscores
/// vanish; keys match case-insensitively). ONAIR_CONFIG names the config file.
/// </summary>
public static class EnvironmentKeys
{
    public const string Prefix = "ONAIR_";
    public const string ConfigFileVariable = "ONAIR_CONFIG";

    public static Dictionary<string, string?> Read(IDictionary environment)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in environment)
        {
            if (entry.Key is not string name || !name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || name.Equals(ConfigFileVariable, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var sections = name[Prefix.Length..].Split("__").Select(s => s.Replace("_", "", StringComparison.Ordinal));
            values[string.Join(':', sections)] = entry.Value as string;
        }

        return values;
    }
}
