using System.Buffers.Binary;
using OnAir.Media.MpegTs;

namespace OnAir.Media.Ogg;

/// <summary>
/// Opus in Ogg (RFC 7845) as a live stream: the OpusHead and OpusTags pages, then one page per Opus
/// packet whose granule position carries the packet's end time, so a reader (ffmpeg) keeps the
/// timestamps, gaps included. Used to hand WebRTC's Opus to ffmpeg for AAC.
/// </summary>
public sealed class OggOpusWriter
{
    /// <summary>Opus at 48 kHz: granule positions count 48 kHz samples.</summary>
    public const int SampleRate = 48_000;

    /// <summary>The largest packet one page holds (255 lacing values); Opus packets from WebRTC are under 1500 bytes.</summary>
    public const int MaxPacket = (254 * 255) + 254;

    private const int HeaderLength = 27;
    private readonly uint _serial;
    private uint _sequence;

    public OggOpusWriter(uint serial) => _serial = serial;

    /// <summary>What <see cref="WriteHeaders"/> writes: the OpusHead page (27 + 1 + 19) and the OpusTags page (27 + 1 + 21).</summary>
    public const int HeadersSize = 96;

    /// <summary>Writes the two header pages (<see cref="HeadersSize"/> bytes) to <paramref name="destination"/>; their length.</summary>
    public int WriteHeaders(Span<byte> destination, int channels, ushort preSkip = 312)
    {
        Span<byte> head = stackalloc byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1; // version
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head[10..], preSkip);
        BinaryPrimitives.WriteUInt32LittleEndian(head[12..], SampleRate);
        head[16] = 0; // output gain (2 bytes)
        head[17] = 0;
        head[18] = 0; // channel mapping family 0: mono or stereo
        var length = WritePage(destination, head, granule: 0, headerType: 0x02);

        Span<byte> tags = stackalloc byte[8 + 4 + 5 + 4];
        "OpusTags"u8.CopyTo(tags);
        BinaryPrimitives.WriteUInt32LittleEndian(tags[8..], 5);
        "OnAir"u8.CopyTo(tags[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(tags[17..], 0); // no user comments
        return length + WritePage(destination[length..], tags, granule: 0, headerType: 0);
    }

    /// <summary>One packet as one page ending at <paramref name="granule"/> (48 kHz samples); the bytes written (packet length + 28 + packet length / 255).</summary>
    public int WritePacket(Span<byte> destination, ReadOnlySpan<byte> packet, long granule) => WritePage(destination, packet, granule, headerType: 0);

    /// <summary>The page size <see cref="WritePacket"/> needs for <paramref name="packetLength"/> bytes.</summary>
    public static int PageSize(int packetLength) => HeaderLength + (packetLength / 255) + 1 + packetLength;

    private int WritePage(Span<byte> destination, ReadOnlySpan<byte> packet, long granule, byte headerType)
    {
        if (packet.Length > MaxPacket)
        {
            throw new ArgumentOutOfRangeException(nameof(packet), $"an Opus packet of {packet.Length} bytes does not fit one Ogg page");
        }

        var segments = (packet.Length / 255) + 1; // lacing: 255s, then the remainder (0 when the length is a multiple of 255)
        "OggS"u8.CopyTo(destination);
        destination[4] = 0; // version
        destination[5] = headerType;
        BinaryPrimitives.WriteInt64LittleEndian(destination[6..], granule);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[14..], _serial);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[18..], _sequence++);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[22..], 0); // CRC, computed over the page with this field zero
        destination[26] = (byte)segments;
        var table = destination.Slice(HeaderLength, segments);
        table.Fill(255);
        table[^1] = (byte)(packet.Length % 255);
        packet.CopyTo(destination[(HeaderLength + segments)..]);
        var length = HeaderLength + segments + packet.Length;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[22..], Crc32Mpeg2.Compute(destination[..length], 0));
        return length;
    }
}
