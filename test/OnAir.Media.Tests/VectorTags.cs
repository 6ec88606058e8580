using OnAir.Testing;

namespace OnAir.Media.Tests;

/// <summary>Real FLV tag bodies from the ffmpeg-made vectors, to derive malformed inputs from.</summary>
internal static class VectorTags
{
    public const string AudioVideo = "h264-aac-320x240-2s.flv";
    public const string Baseline854 = "h264-854x480-main.flv";

    /// <summary>The AVC sequence header tag body (5-byte video tag header + AVCDecoderConfigurationRecord).</summary>
    public static byte[] VideoSequenceHeader(string vector = AudioVideo) => First(vector, 9, 0);

    /// <summary>The AAC sequence header tag body (2-byte audio tag header + AudioSpecificConfig).</summary>
    public static byte[] AudioSequenceHeader(string vector = AudioVideo) => First(vector, 8, 0);

    public static byte[] FirstVideoFrame(string vector = AudioVideo) => First(vector, 9, 1);

    public static byte[] FirstAudioFrame(string vector = AudioVideo) => First(vector, 8, 1);

    public static IReadOnlyList<FlvTag> Tags(string vector) => FlvFile.ReadTags(TestVectors.Path(vector));

    private static byte[] First(string vector, byte tagType, byte packetType) =>
        Tags(vector).First(t => t.Type == tagType && t.Body.Length > 1 && t.Body[1] == packetType).Body;
}
