namespace OnAir.Streams;

/// <summary>The server's data directory (--data-dir): live segments under live/, later recordings and the database.</summary>
public sealed record DataDirectory(string Path)
{
    public string Live => System.IO.Path.Combine(Path, "live");
}
