using System.Net;
using System.Runtime.InteropServices;
using OnAir.Ingest.Srt.Native;

namespace OnAir.Ingest.Srt.Tests;

public class NativeLayoutTests
{
    /// <summary>
    /// Offsets of struct CBytePerfMon as gcc lays it out from Debian's libsrt-gnutls-dev 1.5.1 srt.h
    /// (offsetof printed by a five-line C program): a field declared out of order here would read garbage.
    /// </summary>
    [Theory]
    [InlineData(nameof(SrtPerformance.PktRecvTotal), 16)]
    [InlineData(nameof(SrtPerformance.PktRcvLossTotal), 28)]
    [InlineData(nameof(SrtPerformance.PktRcvDropTotal), 68)]
    [InlineData(nameof(SrtPerformance.PktRcvRetrans), 164)]
    [InlineData(nameof(SrtPerformance.MbpsRecvRate), 192)]
    [InlineData(nameof(SrtPerformance.MsRtt), 328)]
    [InlineData(nameof(SrtPerformance.MsRcvTsbPdDelay), 392)]
    [InlineData(nameof(SrtPerformance.ByteRecvUnique), 488)]
    public void The_statistics_struct_matches_libsrt_1_5(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<SrtPerformance>(field));

    [Fact]
    public void The_statistics_struct_has_libsrt_1_5_size() => Assert.Equal(496, Marshal.SizeOf<SrtPerformance>());

    [Fact]
    public void Socket_addresses_read_back_for_both_families()
    {
        foreach (var endPoint in new[] { new IPEndPoint(IPAddress.Parse("192.0.2.7"), 8890), new IPEndPoint(IPAddress.Parse("2001:db8::1"), 443) })
        {
            var address = endPoint.Serialize();
            Assert.Equal(endPoint, SrtSocket.EndPointOf(address.Buffer.Span[..address.Size]));
        }

        Assert.Null(SrtSocket.EndPointOf([1]));
        Assert.Null(SrtSocket.EndPointOf([2, 0, 1]));
    }
}
