namespace OnAir.Streams;

/// <summary>FellBack → fell_back: the form enum names take in metric labels, API values and event names.</summary>
public static class SnakeCase
{
    public static string Of(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? $"_{char.ToLowerInvariant(c)}" : char.ToLowerInvariant(c).ToString()));
}
