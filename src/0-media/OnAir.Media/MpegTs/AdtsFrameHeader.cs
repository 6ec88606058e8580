namespace OnAir.Media.MpegTs;

/// <summary>The fixed and variable ADTS header (ISO/IEC 13818-7 section 6.2) in front of each AAC frame of stream type 0x0F.</summary>
internal readonly struct AdtsFrameHeader
{
    public const int MinSize = 7;

    /// <summary>Sampling frequency indexes 13 to 15 are reserved or explicit; AacConfig covers 0 to 12.</summary>
    private const int SampleRateIndexCount = 13;

    private AdtsFrameHeader(int profile, int sampleRateIndex, int channelConfiguration, int headerSize, int frameLength)
    {
        Profile = profile;
        SampleRateIndex = sampleRateIndex;
        ChannelConfiguration = channelConfiguration;
        HeaderSize = headerSize;
        FrameLength = frameLength;
    }

    /// <summary>profile_ObjectType: the audio object type minus one (1 = AAC-LC).</summary>
    public int Profile { get; }

    public int SampleRateIndex { get; }

    public int ChannelConfiguration { get; }

    /// <summary>7 bytes, or 9 when a CRC follows the header.</summary>
    public int HeaderSize { get; }

    /// <summary>aac_frame_length: the header and the raw frame.</summary>
    public int FrameLength { get; }

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>. <paramref name="isCarried"/> is false
    /// for a well-framed header whose frame OnAir cannot carry (channel configuration 0 needs a PCE,
    /// several raw data blocks need splitting, reserved sample rates): the caller can skip
    /// <see cref="FrameLength"/> bytes. Returns false when the framing itself is broken.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out AdtsFrameHeader header, out bool isCarried)
    {
        header = default;
        isCarried = false;
        // syncword 0xFFF, then layer '00' (the ID bit, MPEG-2 or MPEG-4, does not matter).
        if (data.Length < MinSize || data[0] != 0xFF || (data[1] & 0xF6) != 0xF0)
        {
            return false;
        }

        var headerSize = (data[1] & 0x01) != 0 ? MinSize : MinSize + 2;
        var frameLength = ((data[3] & 0x03) << 11) | (data[4] << 3) | (data[5] >> 5);
        if (frameLength <= headerSize || frameLength > data.Length)
        {
            return false;
        }

        var profile = data[2] >> 6;
        var sampleRateIndex = (data[2] >> 2) & 0x0F;
        var channels = ((data[2] & 0x01) << 2) | (data[3] >> 6);
        var rawDataBlocks = (data[6] & 0x03) + 1;
        header = new AdtsFrameHeader(profile, sampleRateIndex, channels, headerSize, frameLength);
        isCarried = sampleRateIndex < SampleRateIndexCount && channels != 0 && rawDataBlocks == 1;
        return true;
    }

    /// <summary>The two-byte AudioSpecificConfig this header implies: object type, sample rate index, channels.</summary>
    public void WriteAudioSpecificConfig(Span<byte> destination)
    {
        var objectType = Profile + 1;
        destination[0] = (byte)((objectType << 3) | (SampleRateIndex >> 1));
        destination[1] = (byte)(((SampleRateIndex & 1) << 7) | (ChannelConfiguration << 3));
    }
}
