using System.Buffers;

namespace OnAir.Fuzz.Targets;

/// <summary>Cuts an input into a multi-segment sequence, as socket reads arrive: the last byte says where (so the fuzzer explores the cuts too).</summary>
internal static class Segments
{
    public static ReadOnlySequence<byte> Split(ReadOnlySpan<byte> input)
    {
        if (input.Length < 2)
        {
            return new ReadOnlySequence<byte>(input.ToArray());
        }

        var step = 1 + (input[^1] % 97);
        Segment? first = null, last = null;
        for (var at = 0; at < input.Length - 1; at += step)
        {
            var piece = input[at..Math.Min(input.Length - 1, at + step)].ToArray();
            last = last is null ? first = new Segment(piece, 0) : last.Append(piece);
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
