using System.Collections;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace OnAir.Server.Configuration;

/// <summary>
/// Builds <see cref="OnAirOptions"/> from defaults, the config file, ONAIR_* variables and flags,
/// rejecting unknown keys and unconvertible values with an error that names the key.
/// </summary>
public static class OptionsLoader
{
    public const string DefaultConfigFile = "onair.json";

    /// <exception cref="ConfigurationError">Anything wrong, named by key.</exception>
    public static OnAirOptions Load(IReadOnlyList<string> serveArgs, IDictionary environment, string workingDirectory)
    {
        var (flagValues, configFlag) = ServeFlags.Parse(serveArgs);
        var configFile = configFlag ?? environment[EnvironmentKeys.ConfigFileVariable] as string;
        var explicitConfig = configFile is not null;
        configFile = Path.GetFullPath(configFile ?? DefaultConfigFile, workingDirectory);

        var builder = new ConfigurationBuilder();
        if (File.Exists(configFile))
        {
            builder.AddInMemoryCollection(ReadJson(configFile));
        }
        else if (explicitConfig)
        {
            throw new ConfigurationError("--config", $"file '{configFile}' does not exist");
        }

        builder.AddInMemoryCollection(EnvironmentKeys.Read(environment));
        builder.AddInMemoryCollection(flagValues);
        var configuration = builder.Build();

        foreach (var (key, _) in configuration.AsEnumerable())
        {
            CheckKnown(key);
        }

        var options = new OnAirOptions();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            throw ConversionError(ex, configuration);
        }

        options.DataDir = Path.GetFullPath(options.DataDir, workingDirectory);
        OptionsValidator.Validate(options);
        return options;
    }

    /// <summary>Flattens a JSON file into configuration keys, with a clear error for bad JSON.</summary>
    private static Dictionary<string, string?> ReadJson(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            var config = new ConfigurationBuilder().AddJsonStream(stream).Build();
            return config.AsEnumerable().Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        }
        catch (Exception ex) when (ex is FormatException or JsonException or InvalidDataException)
        {
            throw new ConfigurationError(Path.GetFileName(path), $"is not valid JSON ({(ex.InnerException ?? ex).Message.Split('\n')[0]})");
        }
    }

    /// <summary>Throws when a key names no option (a typo would otherwise be ignored silently).</summary>
    private static void CheckKnown(string key)
    {
        Type? type = typeof(OnAirOptions);
        var parts = key.Split(':');
        for (var i = 0; i < parts.Length; i++)
        {
            if (ElementType(type!) is { } element)
            {
                // A dictionary key or list index: free-form; string values end the walk.
                type = element == typeof(string) ? null : element;
                if (type is null)
                {
                    return;
                }

                continue;
            }

            var property = FindProperty(type!, parts[i]);
            if (property is null)
            {
                var accepted = string.Join(", ", type!.GetProperties().Where(IsSettable).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)));
                throw new ConfigurationError(DisplayKey(string.Join(':', parts[..(i + 1)])), $"unknown key (accepted here: {accepted})");
            }

            type = property.PropertyType;
        }
    }

    /// <summary>The value type of a dictionary or list property, or null for plain options.</summary>
    private static Type? ElementType(Type type)
    {
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(Dictionary<,>) ? type.GetGenericArguments()[1]
            : definition == typeof(List<>) ? type.GetGenericArguments()[0]
            : null;
    }

    private static PropertyInfo? FindProperty(Type type, string name)
    {
        var normalized = name.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .FirstOrDefault(p => IsSettable(p) && string.Equals(p.Name, normalized, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Only what the binder can set is a key: a property with an internal setter (set from another key) is not.</summary>
    private static bool IsSettable(PropertyInfo property) => property.SetMethod?.IsPublic == true;

    private static ConfigurationError ConversionError(InvalidOperationException ex, IConfiguration configuration)
    {
        // The binder says: Failed to convert configuration value 'abc' at 'hls:windowSegments' to type 'System.Int32'.
        var match = Regex.Match(ex.Message, "at '([^']+)' to type '([^']+)'");
        if (!match.Success)
        {
            return new ConfigurationError("configuration", ex.Message);
        }

        var key = match.Groups[1].Value;
        var typeName = match.Groups[2].Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.Double" => "a number",
            "System.Boolean" => "true or false",
            var other => $"a valid {other}",
        };
        return new ConfigurationError(DisplayKey(key), $"'{configuration[key]}' is not {typeName}");
    }

    /// <summary>hls:windowsegments → hls.windowSegments, ladders:m:renditions:0:height → ladders.m.renditions[0].height.</summary>
    public static string DisplayKey(string key)
    {
        Type? type = typeof(OnAirOptions);
        var display = new System.Text.StringBuilder();
        foreach (var part in key.Split(':'))
        {
            if (type is not null && ElementType(type) is { } element)
            {
                var isList = type.GetGenericTypeDefinition() == typeof(List<>);
                display.Append(isList ? $"[{part}]" : $".{part}");
                type = element == typeof(string) ? null : element;
                continue;
            }

            var property = type is null ? null : FindProperty(type, part);
            if (display.Length > 0)
            {
                display.Append('.');
            }

            display.Append(property is null ? part : JsonNamingPolicy.CamelCase.ConvertName(property.Name));
            type = property?.PropertyType;
        }

        return display.ToString();
    }
}
