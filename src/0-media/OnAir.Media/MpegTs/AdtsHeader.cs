using OnAir.Media;
using OnAir.Media.Aac;

namespace OnAir.Media.MpegTs;

/// <summary>
/// The 7-byte ADTS header (ISO/IEC 13818-7 section 6.2, no CRC) that makes a raw AAC frame
/// self-describing: MPEG-TS stream type 0x0F carries AAC only in this framing.
/// </summary>
internal static class AdtsHeader
{
    public const int Size = 7;

    /// <summary>aac_frame_length is 13 bits and counts the header too.</summary>
    public const int MaxFrameLength = (1 << 13) - 1;

    /// <summary>adts_buffer_fullness 0x7FF signals a variable bitrate stream.</summary>
    private const int VariableBitrateFullness = 0x7FF;

    /// <exception cref="InvalidMediaException">The raw frame is too large for the 13-bit length field.</exception>
    public static void Write(Span<byte> destination, AacConfig config, int rawFrameLength)
    {
        var frameLength = Size + rawFrameLength;
        if (rawFrameLength < 0 || frameLength > MaxFrameLength)
        {
            throw new InvalidMediaException($"AAC frame of {rawFrameLength} bytes does not fit an ADTS frame (at most {MaxFrameLength - Size}).");
        }

        var channels = config.ChannelConfiguration;
        destination = destination[..Size];
        destination[0] = 0xFF; // syncword 0xFFF ...
        destination[1] = 0xF1; // ... ID 0 (MPEG-4), layer 00, protection_absent 1 (no CRC)
        destination[2] = (byte)((config.AdtsProfile << 6) | (config.SampleRateIndex << 2) | (channels >> 2));
        destination[3] = (byte)(((channels & 0x03) << 6) | (frameLength >> 11));
        destination[4] = (byte)(frameLength >> 3);
        destination[5] = (byte)(((frameLength & 0x07) << 5) | (VariableBitrateFullness >> 6));
        destination[6] = (byte)((VariableBitrateFullness & 0x3F) << 2); // number_of_raw_data_blocks_in_frame = 0 (one block)
    }
}
