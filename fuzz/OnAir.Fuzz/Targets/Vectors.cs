using OnAir.Testing;

namespace OnAir.Fuzz.Targets;

/// <summary>Seed inputs read from test/vectors.</summary>
internal static class Vectors
{
    public static byte[] Read(string name) => File.ReadAllBytes(TestVectors.Path(name));
}
