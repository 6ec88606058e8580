namespace OnAir.Media.Aac;

/// <summary>AAC decoder configuration from an AudioSpecificConfig (ISO/IEC 14496-3 section 1.6.2.1).</summary>
public sealed class AacConfig : CodecConfig
{
    private static readonly int[] s_sampleRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    private readonly byte[] _record;

    private AacConfig(byte[] record, int objectType, int sampleRateIndex, int channelConfiguration)
    {
        _record = record;
        ObjectType = objectType;
        SampleRateIndex = sampleRateIndex;
        SampleRate = s_sampleRates[sampleRateIndex];
        ChannelConfiguration = channelConfiguration;
        CodecString = $"mp4a.40.{objectType}";
    }

    public override TrackKind Kind => TrackKind.Audio;

    public override string CodecString { get; }

    public override ReadOnlyMemory<byte> Record => _record;

    /// <summary>Audio object type: 2 = AAC-LC, 5 = HE-AAC (SBR), 29 = HE-AACv2 (PS).</summary>
    public int ObjectType { get; }

    public int SampleRateIndex { get; }

    public int SampleRate { get; }

    /// <summary>1 = mono, 2 = stereo, ... 7 = 7.1.</summary>
    public int ChannelConfiguration { get; }

    /// <summary>Samples per AAC frame: 1024 for every object type ADTS can carry.</summary>
    public int SamplesPerFrame => 1024;

    /// <summary>
    /// The ADTS profile (object type − 1, 2 bits). HE-AAC is carried as its AAC-LC core with
    /// implicit SBR signalling, which is what every HLS player expects from ADTS.
    /// </summary>
    public int AdtsProfile => ObjectType is >= 1 and <= 4 ? ObjectType - 1 : 1;

    /// <exception cref="InvalidMediaException">The config is truncated or uses an explicit sample rate or channel layout ADTS cannot carry.</exception>
    public static AacConfig Parse(ReadOnlySpan<byte> record)
    {
        if (record.Length < 2)
        {
            throw new InvalidMediaException($"AudioSpecificConfig of {record.Length} bytes is too short.");
        }

        var objectType = record[0] >> 3;
        var frequencyIndex = ((record[0] & 0x07) << 1) | (record[1] >> 7);
        var channels = (record[1] >> 3) & 0x0F;
        if (objectType == 31)
        {
            throw new InvalidMediaException("AudioSpecificConfig uses an extended object type, which AAC in HLS does not carry.");
        }

        if (objectType == 0)
        {
            throw new InvalidMediaException("AudioSpecificConfig object type 0 is not valid.");
        }

        if (frequencyIndex >= s_sampleRates.Length)
        {
            throw new InvalidMediaException($"AudioSpecificConfig sample rate index {frequencyIndex} is explicit or reserved; ADTS cannot carry it.");
        }

        if (channels is 0 or > 7)
        {
            throw new InvalidMediaException($"AudioSpecificConfig channel configuration {channels} is not supported (1 to 7).");
        }

        return new AacConfig(record.ToArray(), objectType, frequencyIndex, channels);
    }
}
