using OnAir.Media;
using OnAir.Media.Mp4;

namespace OnAir.Fuzz.Targets;

/// <summary>
/// A recording's fragmented MP4 as the finaliser reads it after a crash, whatever the crash left:
/// the scan (init segments, moofs, break markers), the sample tables and the progressive head built from them.
/// </summary>
internal sealed class Fmp4FileTarget : IFuzzTarget
{
    public static string Name => "fmp4-file";

    public static IEnumerable<byte[]> Seeds() => [Vectors.Read("h264-aac-320x240-2s.fmp4")];

    public static void Fuzz(ReadOnlySpan<byte> input)
    {
        try
        {
            var index = Fmp4FileScanner.Scan(new MemoryStream(input.ToArray(), writable: false));
            var tables = index.SampleTables();
            Mp4ProgressiveHeader.Create(tables, index.ValidLength - index.InitLength);
            foreach (var track in index.Tracks)
            {
                track.ReadCodecConfig();
            }
        }
        catch (InvalidMediaException)
        {
            // not a recording OnAir can finalise: it is marked failed with the reason
        }
    }
}
