namespace OnAir.Testing;

/// <summary>A scratch directory for files handed to ffmpeg/ffprobe, deleted afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("onair-ts-");

    public string File(string name) => Path.Combine(_directory.FullName, name);

    public void Dispose() => _directory.Delete(recursive: true);
}
