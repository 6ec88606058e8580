namespace OnAir.Streams;

/// <summary>Stream names become URL path segments and directory names, so only a safe alphabet passes.</summary>
public static class StreamName
{
    /// <summary>True for 1..maxLength chars of [A-Za-z0-9_-.], not starting with '.'.</summary>
    public static bool IsValid(string? name, int maxLength)
    {
        if (string.IsNullOrEmpty(name) || name.Length > maxLength || name[0] == '.')
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
