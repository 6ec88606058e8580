namespace OnAir.Server.Configuration;

/// <summary>A bad flag, environment variable or config file entry; printed as one line, exit code 2.</summary>
public sealed class ConfigurationError : Exception
{
    public ConfigurationError(string key, string message)
        : base($"{key}: {message}")
    {
        Key = key;
    }

    public ConfigurationError()
    {
        Key = "";
    }

    public ConfigurationError(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = "";
    }

    public string Key { get; }
}
