using System.Net;
using System.Text;
using OnAir.WebRtc.Ice;

namespace OnAir.WebRtc.Tests;

/// <summary>Against the test vectors of RFC 5769 (section 2): the ICE request and the IPv4/IPv6 responses.</summary>
public class StunTests
{
    private static readonly byte[] s_password = Encoding.UTF8.GetBytes("VOkJxbRl1RmTxUk/WvJxBt");

    private static readonly byte[] s_request = Convert.FromHexString(
        "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74" +
        "002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020" +
        "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");

    private static readonly byte[] s_ipv4Response = Convert.FromHexString(
        "0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220" +
        "002000080001a147e112a643000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96");

    [Fact]
    public void The_RFC_5769_request_reads_with_its_username_and_its_integrity_holds_only_with_the_password()
    {
        Assert.True(Stun.TryReadBindingRequest(s_request, out var username, out var integrityOffset, out var useCandidate));
        Assert.Equal("evtj:h6vY", username);
        Assert.False(useCandidate);
        Assert.True(Stun.IntegrityHolds(s_request, integrityOffset, s_password));
        Assert.False(Stun.IntegrityHolds(s_request, integrityOffset, "VOkJxbRl1RmTxUk/WvJxBu"u8));

        var tampered = (byte[])s_request.Clone();
        tampered[26] ^= 1; // a byte of SOFTWARE: the FINGERPRINT no longer matches
        Assert.False(Stun.TryReadBindingRequest(tampered, out _, out _, out _));
    }

    [Fact]
    public void The_RFC_5769_response_integrity_checks_with_the_same_code()
    {
        Assert.True(Stun.IntegrityHolds(s_ipv4Response, 48, s_password)); // after SOFTWARE (16 bytes) and XOR-MAPPED-ADDRESS (12)
    }

    [Theory]
    [InlineData("192.0.2.1", "002000080001a147e112a643")]
    [InlineData("2001:db8:1234:5678:11:2233:4455:6677", "002000140002a1470113a9faa5d3f179bc25f4b5bed2b9d9")]
    public void A_binding_success_carries_the_RFC_5769_XOR_MAPPED_ADDRESS_and_checks(string address, string xorMappedAddress)
    {
        var response = new byte[128];
        var length = Stun.WriteBindingSuccess(response, s_request, new IPEndPoint(IPAddress.Parse(address), 32853), s_password);
        var written = response.AsSpan(0, length);
        Assert.Equal(0x0101, (written[0] << 8) | written[1]);
        Assert.Equal(s_request.AsSpan(4, 16).ToArray(), written.Slice(4, 16).ToArray());
        Assert.Equal(xorMappedAddress, Convert.ToHexString(written.Slice(20, xorMappedAddress.Length / 2)).ToLowerInvariant());
        var integrityOffset = 20 + (xorMappedAddress.Length / 2);
        Assert.True(Stun.IntegrityHolds(written, integrityOffset, s_password));
        Assert.Equal(length, integrityOffset + 24 + 8); // MESSAGE-INTEGRITY, then FINGERPRINT last
    }

    [Fact]
    public void Random_and_mutated_datagrams_never_throw()
    {
        var random = new Random(3);
        var buffer = new byte[200];
        for (var i = 0; i < 50_000; i++)
        {
            var length = random.Next(0, buffer.Length);
            if (i % 2 == 0)
            {
                s_request.AsSpan(0, Math.Min(length, s_request.Length)).CopyTo(buffer);
                buffer[random.Next(Math.Max(1, length))] ^= (byte)random.Next(1, 256);
            }
            else
            {
                random.NextBytes(buffer.AsSpan(0, length));
            }

            if (Stun.TryReadBindingRequest(buffer.AsSpan(0, length), out _, out var offset, out _))
            {
                Stun.IntegrityHolds(buffer.AsSpan(0, length), offset, s_password);
            }
        }
    }
}
