namespace OnAir.Testing;

/// <summary>Paths of the committed vectors in test/vectors (made with ffmpeg; see test/vectors/README.md).</summary>
public static class TestVectors
{
    public static string Directory { get; } = FindVectorsDirectory();

    public static string Path(string name) => System.IO.Path.Combine(Directory, name);

    public static string RepositoryRoot => System.IO.Path.GetFullPath(System.IO.Path.Combine(Directory, "..", ".."));

    private static string FindVectorsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "test", "vectors");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("test/vectors not found above " + AppContext.BaseDirectory);
    }
}
