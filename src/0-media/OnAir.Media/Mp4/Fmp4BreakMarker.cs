using System.Buffers;
using System.Buffers.Binary;

namespace OnAir.Media.Mp4;

/// <summary>
/// A <c>free</c> box OnAir writes between two fragments of a recording where the media broke (a
/// publisher reconnected): every reader skips a free box, and <see cref="Fmp4FileScanner"/> marks
/// the next fragment as following a break, with how long the pause was: the recording's timeline
/// runs on without a hole, and the marker is where the pause is kept.
/// </summary>
public static class Fmp4BreakMarker
{
    private static ReadOnlySpan<byte> Payload => "onair:media-break"u8;

    /// <summary>The box: header, payload, then the pause's length (90 kHz, 64 bits).</summary>
    public static int Size => 8 + Payload.Length + 8;

    public static void Write(IBufferWriter<byte> output, long pausedTicks)
    {
        var span = output.GetSpan(Size);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)Size);
        "free"u8.CopyTo(span[4..]);
        Payload.CopyTo(span[8..]);
        BinaryPrimitives.WriteInt64BigEndian(span[(8 + Payload.Length)..], pausedTicks);
        output.Advance(Size);
    }

    /// <summary>Whether a box's header and content are this marker, and the pause it records.</summary>
    public static bool TryRead(Mp4BoxHeader header, ReadOnlySpan<byte> content, out long pausedTicks)
    {
        pausedTicks = 0;
        if (!header.Is("free"u8) || content.Length != Payload.Length + 8 || !content.StartsWith(Payload))
        {
            return false;
        }

        pausedTicks = Math.Max(0, BinaryPrimitives.ReadInt64BigEndian(content[Payload.Length..]));
        return true;
    }
}
