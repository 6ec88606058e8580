namespace OnAir.EndToEnd.Tests.Support;

/// <summary>A temporary directory for one test, deleted with everything in it.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("onair-test-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
