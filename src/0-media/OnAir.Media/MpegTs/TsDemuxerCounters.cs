namespace OnAir.Media.MpegTs;

/// <summary>
/// What a <see cref="TsDemuxer"/> has seen and refused, for metrics and the log line of a broken
/// input: malformed input is counted here, never thrown. Written by the demuxer's thread only;
/// each value is a 64-bit field that another thread may read at any time.
/// </summary>
public sealed class TsDemuxerCounters
{
    /// <summary>188-byte packets taken (every PID, including null packets).</summary>
    public long Packets { get; internal set; }

    /// <summary>Times the 0x47 sync byte was not where the next packet should start.</summary>
    public long SyncLosses { get; internal set; }

    /// <summary>Bytes thrown away while looking for sync again.</summary>
    public long SkippedBytes { get; internal set; }

    /// <summary>Bytes of an incomplete last packet at <see cref="TsDemuxer.Flush"/>.</summary>
    public long TruncatedBytes { get; internal set; }

    /// <summary>Packets with transport_error_indicator set (a lower layer marked them corrupt), dropped.</summary>
    public long TransportErrors { get; internal set; }

    /// <summary>Packets with a reserved adaptation_field_control or an adaptation field longer than the packet, dropped.</summary>
    public long MalformedPackets { get; internal set; }

    /// <summary>Scrambled packets of a tracked PID, dropped: OnAir has no keys.</summary>
    public long ScrambledPackets { get; internal set; }

    /// <summary>Packets of a PID no table has declared (yet), or of a stream over <see cref="TsDemuxerOptions.MaxPids"/>.</summary>
    public long UnknownPidPackets { get; internal set; }

    /// <summary>Packets whose continuity_counter skipped: packets were lost, and the PES or section in progress was dropped.</summary>
    public long ContinuityErrors { get; internal set; }

    /// <summary>Repeated packets (same continuity_counter), ignored as the standard allows.</summary>
    public long DuplicatePackets { get; internal set; }

    /// <summary>Adaptation fields with discontinuity_indicator set (the counter or the clock may restart there).</summary>
    public long Discontinuities { get; internal set; }

    /// <summary>PSI sections (PAT, PMT) whose CRC did not match, ignored.</summary>
    public long SectionCrcErrors { get; internal set; }

    /// <summary>PSI sections with impossible lengths, a broken syntax or cut short, ignored.</summary>
    public long MalformedSections { get; internal set; }

    /// <summary>Elementary streams declared with a stream type other than H.264 (0x1B), H.265 (0x24) or ADTS AAC (0x0F); their packets are ignored.</summary>
    public long UnsupportedStreams { get; internal set; }

    /// <summary>Programs or streams not tracked because <see cref="TsDemuxerOptions.MaxPids"/> was reached.</summary>
    public long PidLimitExceeded { get; internal set; }

    /// <summary>PES packets thrown away for any reason below or because a packet was lost.</summary>
    public long DroppedPes { get; internal set; }

    /// <summary>PES packets over <see cref="TsDemuxerOptions.MaxPesSize"/>.</summary>
    public long OversizedPes { get; internal set; }

    /// <summary>PES packets with a broken header, no PTS, or cut short before their declared length.</summary>
    public long MalformedPes { get; internal set; }

    /// <summary>H.264 access units before the first usable SPS and PPS, which cannot be decoded.</summary>
    public long FramesWithoutConfig { get; internal set; }

    /// <summary>SPS/PPS pairs that did not parse; frames wait for a valid pair.</summary>
    public long InvalidParameterSets { get; internal set; }

    /// <summary>H.264 PES packets with no NAL unit left to carry (no start code, or only delimiters and parameter sets).</summary>
    public long EmptyAccessUnits { get; internal set; }

    /// <summary>ADTS frames that are malformed or that HLS cannot carry (channel configuration 0, several raw data blocks); the rest of a broken PES is dropped.</summary>
    public long MalformedAdtsFrames { get; internal set; }

    public long VideoFrames { get; internal set; }

    public long AudioFrames { get; internal set; }

    public override string ToString() =>
        $"packets={Packets} syncLosses={SyncLosses} skipped={SkippedBytes} truncated={TruncatedBytes} tei={TransportErrors} " +
        $"malformedPackets={MalformedPackets} scrambled={ScrambledPackets} unknownPid={UnknownPidPackets} cc={ContinuityErrors} " +
        $"duplicates={DuplicatePackets} discontinuities={Discontinuities} crc={SectionCrcErrors} malformedSections={MalformedSections} " +
        $"unsupportedStreams={UnsupportedStreams} pidLimit={PidLimitExceeded} droppedPes={DroppedPes} oversizedPes={OversizedPes} " +
        $"malformedPes={MalformedPes} withoutConfig={FramesWithoutConfig} invalidParameterSets={InvalidParameterSets} " +
        $"emptyAccessUnits={EmptyAccessUnits} malformedAdts={MalformedAdtsFrames} video={VideoFrames} audio={AudioFrames}";
}
