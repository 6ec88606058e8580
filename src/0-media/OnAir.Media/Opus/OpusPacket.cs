namespace OnAir.Media.Opus;

/// <summary>What an Opus packet's TOC byte says (RFC 6716 3.1): how much audio it holds.</summary>
public static class OpusPacket
{
    /// <summary>
    /// A 20 ms packet that decodes to silence (CELT fullband, TOC 0xF8, one frame coded as silence):
    /// gaps in a stream (loss, DTX) are filled with it, since readers of Ogg (ffmpeg) time a packet that
    /// follows a gap from the page before it, not from its own granule position.
    /// </summary>
    public static ReadOnlySpan<byte> Silence20Ms => [0xF8, 0xFF, 0xFE];

    /// <summary>The packet's duration in 48 kHz samples; 0 for an empty or malformed packet.</summary>
    public static int Samples(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }

        var toc = packet[0];
        var config = toc >> 3;
        var frameSamples = config switch
        {
            < 12 => (config & 3) switch { 0 => 480, 1 => 960, 2 => 1920, _ => 2880 }, // SILK: 10, 20, 40, 60 ms
            < 16 => (config & 1) == 0 ? 480 : 960, // hybrid: 10, 20 ms
            _ => (config & 3) switch { 0 => 120, 1 => 240, 2 => 480, _ => 960 }, // CELT: 2.5, 5, 10, 20 ms
        };
        var frames = (toc & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length > 1 ? packet[1] & 0x3F : 0,
        };
        var samples = frameSamples * frames;
        return samples <= 5760 ? samples : 0; // at most 120 ms per packet
    }
}
