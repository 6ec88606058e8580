using System.Buffers.Binary;
using System.IO.Hashing;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace OnAir.WebRtc.Ice;

/// <summary>
/// The STUN (RFC 8489) an ICE-lite agent needs: read a Binding request and its USERNAME, check its
/// MESSAGE-INTEGRITY (HMAC-SHA1 keyed with our ice-pwd, RFC 8445 7.2.2) and FINGERPRINT, and write
/// the Binding success response with XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY and FINGERPRINT.
/// </summary>
public static class Stun
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;
    private const ushort BindingRequest = 0x0001;
    private const ushort BindingSuccess = 0x0101;
    private const ushort AttributeUsername = 0x0006;
    private const ushort AttributeMessageIntegrity = 0x0008;
    private const ushort AttributeXorMappedAddress = 0x0020;
    private const ushort AttributeUseCandidate = 0x0025;
    private const ushort AttributeFingerprint = 0x8028;
    private const uint FingerprintXor = 0x5354554E;
    private const int IntegrityLength = 20;

    /// <summary>RFC 7983: a datagram whose first byte is 0-3 is STUN.</summary>
    public static bool Looks(ReadOnlySpan<byte> datagram) => datagram.Length >= HeaderLength && datagram[0] < 4;

    /// <summary>A well-formed Binding request: its USERNAME (ours:theirs), where its MESSAGE-INTEGRITY is, and whether it nominates (USE-CANDIDATE).</summary>
    public static bool TryReadBindingRequest(ReadOnlySpan<byte> message, out string username, out int integrityOffset, out bool useCandidate)
    {
        username = "";
        integrityOffset = -1;
        useCandidate = false;
        if (message.Length < HeaderLength || BinaryPrimitives.ReadUInt16BigEndian(message) != BindingRequest
            || BinaryPrimitives.ReadUInt32BigEndian(message[4..]) != MagicCookie)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt16BigEndian(message[2..]);
        if (length % 4 != 0 || HeaderLength + length != message.Length)
        {
            return false;
        }

        var offset = HeaderLength;
        while (offset + 4 <= message.Length)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(message[offset..]);
            var valueLength = BinaryPrimitives.ReadUInt16BigEndian(message[(offset + 2)..]);
            var next = offset + 4 + ((valueLength + 3) & ~3);
            if (next > message.Length)
            {
                return false;
            }

            var value = message.Slice(offset + 4, valueLength);
            switch (type)
            {
                case AttributeUsername when integrityOffset < 0:
                    username = Encoding.UTF8.GetString(value);
                    break;
                case AttributeUseCandidate when integrityOffset < 0:
                    useCandidate = true;
                    break;
                case AttributeMessageIntegrity when valueLength == IntegrityLength:
                    integrityOffset = offset;
                    break;
                case AttributeFingerprint when valueLength == 4:
                    if (Fingerprint(message[..offset], next - HeaderLength) != BinaryPrimitives.ReadUInt32BigEndian(value))
                    {
                        return false;
                    }

                    break;
            }

            offset = next;
        }

        return username.Length > 0 && integrityOffset > 0;
    }

    /// <summary>Checks MESSAGE-INTEGRITY at <paramref name="integrityOffset"/> with <paramref name="key"/> (the ice-pwd as bytes).</summary>
    public static bool IntegrityHolds(ReadOnlySpan<byte> message, int integrityOffset, ReadOnlySpan<byte> key)
    {
        Span<byte> expected = stackalloc byte[IntegrityLength];
        Integrity(message[..integrityOffset], integrityOffset + 4 + IntegrityLength - HeaderLength, key, expected);
        return CryptographicOperations.FixedTimeEquals(expected, message.Slice(integrityOffset + 4, IntegrityLength));
    }

    /// <summary>Writes the Binding success response to <paramref name="request"/>; its length (at most 80 bytes).</summary>
    public static int WriteBindingSuccess(Span<byte> destination, ReadOnlySpan<byte> request, IPEndPoint mapped, ReadOnlySpan<byte> key)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination, BindingSuccess);
        request.Slice(4, 16).CopyTo(destination[4..]); // magic cookie and transaction id
        var offset = HeaderLength;

        // XOR-MAPPED-ADDRESS: the port XORed with the cookie's top half, the address with the cookie (and transaction id for IPv6).
        var v6 = mapped.AddressFamily == AddressFamily.InterNetworkV6;
        var addressLength = v6 ? 16 : 4;
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], AttributeXorMappedAddress);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], (ushort)(4 + addressLength));
        destination[offset + 4] = 0;
        destination[offset + 5] = v6 ? (byte)2 : (byte)1;
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 6)..], (ushort)(mapped.Port ^ (MagicCookie >> 16)));
        var address = destination.Slice(offset + 8, addressLength);
        mapped.Address.TryWriteBytes(address, out _);
        for (var i = 0; i < addressLength; i++)
        {
            address[i] ^= request[4 + i]; // cookie, then transaction id: bytes 4.. of the header
        }

        offset += 8 + addressLength;

        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], AttributeMessageIntegrity);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], IntegrityLength);
        Integrity(destination[..offset], offset + 4 + IntegrityLength - HeaderLength, key, destination.Slice(offset + 4, IntegrityLength));
        offset += 4 + IntegrityLength;

        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], AttributeFingerprint);
        BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], 4);
        BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 4)..], Fingerprint(destination[..offset], offset + 8 - HeaderLength));
        offset += 8;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(offset - HeaderLength));
        return offset;
    }

    /// <summary>HMAC-SHA1 over <paramref name="before"/> with its length field set to <paramref name="lengthField"/> (as if the message ended after MESSAGE-INTEGRITY).</summary>
    private static void Integrity(ReadOnlySpan<byte> before, int lengthField, ReadOnlySpan<byte> key, Span<byte> destination)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        HeaderWithLength(before, lengthField, header);
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, key);
        hmac.AppendData(header);
        hmac.AppendData(before[HeaderLength..]);
        hmac.GetHashAndReset(destination);
    }

    private static uint Fingerprint(ReadOnlySpan<byte> before, int lengthField)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        HeaderWithLength(before, lengthField, header);
        var crc = new Crc32();
        crc.Append(header);
        crc.Append(before[HeaderLength..]);
        return crc.GetCurrentHashAsUInt32() ^ FingerprintXor;
    }

    /// <summary>The header of <paramref name="before"/> with its length field set as if the message ended after the attribute being computed (RFC 8489 14.5, 14.7).</summary>
    private static void HeaderWithLength(ReadOnlySpan<byte> before, int lengthField, Span<byte> header)
    {
        before[..HeaderLength].CopyTo(header);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)lengthField);
    }
}
