using System.Buffers;

namespace OnAir.Testing;

/// <summary>
/// Builds a <see cref="ReadOnlySequence{T}"/> split into many segments, so parsers are tested on
/// data that arrives one byte at a time (what a slow TCP peer produces).
/// </summary>
public static class SegmentedSequence
{
    public static ReadOnlySequence<byte> OneBytePerSegment(ReadOnlySpan<byte> data) => Split(data, 1);

    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> data, int segmentSize)
    {
        if (data.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        Segment? first = null;
        Segment? last = null;
        for (var offset = 0; offset < data.Length; offset += segmentSize)
        {
            var chunk = data.Slice(offset, Math.Min(segmentSize, data.Length - offset)).ToArray();
            var segment = new Segment(chunk);
            if (first is null)
            {
                first = segment;
            }
            else
            {
                last!.Append(segment);
            }

            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
