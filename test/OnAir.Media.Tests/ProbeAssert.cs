using OnAir.Testing;

namespace OnAir.Media.Tests;

/// <summary>Comparisons of what ffprobe read from a written file with what it read from the source vector.</summary>
internal static class ProbeAssert
{
    /// <summary>
    /// Every packet of each kind, in order, with its bytes and key flag; timestamps equal, or with
    /// <paramref name="fromFirstPacket"/> equal relative to each track's first packet (a file whose timeline starts at 0).
    /// </summary>
    public static void SamePackets(ProbeResult source, ProbeResult written, bool fromFirstPacket = false)
    {
        foreach (var kind in new[] { "video", "audio" })
        {
            var expected = source.PacketsOf(kind).ToList();
            var actual = written.PacketsOf(kind).ToList();
            Xunit.Assert.Equal(expected.Count, actual.Count);
            for (var i = 0; i < expected.Count; i++)
            {
                var expectedBase = fromFirstPacket ? expected[0].Dts : 0;
                var actualBase = fromFirstPacket ? actual[0].Dts : 0;
                Xunit.Assert.Equal((expected[i].Dts - expectedBase, expected[i].Pts - expectedBase, expected[i].IsKey), (actual[i].Dts - actualBase, actual[i].Pts - actualBase, actual[i].IsKey));
                Xunit.Assert.True(expected[i].Data.AsSpan().SequenceEqual(actual[i].Data), $"{kind} packet {i} differs");
            }
        }
    }
}
