using System.Buffers;
using System.Buffers.Binary;

namespace OnAir.Media.MpegTs;

/// <summary>
/// The program-specific information of our single-program stream: the PAT (section 2.4.4.3)
/// pointing at the PMT (section 2.4.4.8) that lists the elementary streams. Numbers match
/// ffmpeg's defaults so our segments look like the ones players and tools see every day.
/// </summary>
internal sealed class ProgramTables
{
    public const int PatPid = 0x0000;
    public const int PmtPid = 0x1000;
    public const int VideoPid = 0x0100;
    public const int AudioPid = 0x0101;
    public const ushort TransportStreamId = 1;
    public const ushort ProgramNumber = 1;

    private const byte PatTableId = 0x00;
    private const byte PmtTableId = 0x02;

    /// <summary>The tables never change during a stream, so they are built once; only the counters move.</summary>
    private readonly byte[] _patSection;
    private readonly byte[] _pmtSection;
    private int _patContinuity;
    private int _pmtContinuity;

    /// <param name="videoStreamType">The video's stream_type (<see cref="TsStreamInfo.StreamTypeH264"/>, <see cref="TsStreamInfo.StreamTypeH265"/>); 0: no video.</param>
    public ProgramTables(byte videoStreamType, bool hasAudio)
    {
        var hasVideo = videoStreamType != 0;
        if (!hasVideo && !hasAudio)
        {
            throw new ArgumentException("A program needs at least one of video and audio.");
        }

        // The clock rides on video when there is video: it comes often and keyframes anchor the segments.
        PcrPid = hasVideo ? VideoPid : AudioPid;
        _patSection = BuildPat();
        _pmtSection = BuildPmt(videoStreamType, hasAudio, PcrPid);
    }

    public int PcrPid { get; }

    /// <summary>Writes one PAT packet and one PMT packet.</summary>
    public void Write(IBufferWriter<byte> output)
    {
        WriteSectionPacket(output, PatPid, ref _patContinuity, _patSection);
        WriteSectionPacket(output, PmtPid, ref _pmtContinuity, _pmtSection);
    }

    /// <summary>
    /// A section that fits one packet: pointer_field 0, the section, then 0xFF fill, which is how
    /// PSI packets are stuffed (section 2.4.4.1), unlike PES packets.
    /// </summary>
    private static void WriteSectionPacket(IBufferWriter<byte> output, int pid, ref int continuityCounter, ReadOnlySpan<byte> section)
    {
        var payload = TsPacket.WriteHeader(
            output.GetSpan(TsPacket.Size), pid, payloadUnitStart: true, continuityCounter, TsPacket.MaxPayload, writePcr: false, pcrBase: 0, randomAccess: false);
        continuityCounter = (continuityCounter + 1) & 0x0F;
        payload[0] = 0x00; // pointer_field: the section starts right here
        section.CopyTo(payload[1..]);
        payload[(1 + section.Length)..].Fill(0xFF);
        output.Advance(TsPacket.Size);
    }

    private static byte[] BuildPat()
    {
        Span<byte> program = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(program, ProgramNumber);
        WritePid(program[2..], PmtPid);
        return BuildSection(PatTableId, TransportStreamId, program);
    }

    private static byte[] BuildPmt(byte videoStreamType, bool hasAudio, int pcrPid)
    {
        Span<byte> body = stackalloc byte[4 + 5 + 5];
        WritePid(body, pcrPid);
        body[2] = 0xF0; // reserved, program_info_length 0: no program descriptors
        body[3] = 0x00;
        var length = 4;
        if (videoStreamType != 0)
        {
            length += WriteStream(body[length..], videoStreamType, VideoPid);
        }

        if (hasAudio)
        {
            length += WriteStream(body[length..], TsStreamInfo.StreamTypeAdtsAac, AudioPid);
        }

        return BuildSection(PmtTableId, ProgramNumber, body[..length]);
    }

    private static int WriteStream(Span<byte> destination, byte streamType, int pid)
    {
        destination[0] = streamType;
        WritePid(destination[1..], pid);
        destination[3] = 0xF0; // reserved, ES_info_length 0: no descriptors, as ffmpeg writes for H.264, H.265 and AAC
        destination[4] = 0x00;
        return 5;
    }

    /// <summary>13-bit PID behind three reserved '1' bits.</summary>
    private static void WritePid(Span<byte> destination, int pid)
    {
        destination[0] = (byte)(0xE0 | (pid >> 8));
        destination[1] = (byte)pid;
    }

    /// <summary>The long section syntax: header, body, CRC; version 0, current, one section only.</summary>
    private static byte[] BuildSection(byte tableId, ushort tableIdExtension, ReadOnlySpan<byte> body)
    {
        const int HeaderSize = 8;
        const int CrcSize = 4;
        var section = new byte[HeaderSize + body.Length + CrcSize];
        var sectionLength = section.Length - 3; // counts the bytes after the section_length field
        section[0] = tableId;
        section[1] = (byte)(0xB0 | (sectionLength >> 8)); // section_syntax_indicator 1, '0', reserved '11'
        section[2] = (byte)sectionLength;
        BinaryPrimitives.WriteUInt16BigEndian(section.AsSpan(3), tableIdExtension);
        section[5] = 0xC1; // reserved '11', version_number 0, current_next_indicator 1
        section[6] = 0x00; // section_number
        section[7] = 0x00; // last_section_number
        body.CopyTo(section.AsSpan(HeaderSize));
        var crc = Crc32Mpeg2.Compute(section.AsSpan(0, section.Length - CrcSize));
        BinaryPrimitives.WriteUInt32BigEndian(section.AsSpan(section.Length - CrcSize), crc);
        return section;
    }
}
