using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace OnAir.WebRtc.Dtls;

/// <summary>
/// The server's DTLS certificate: self-signed ECDSA P-256, as browsers make theirs. WebRTC
/// authenticates it by the SHA-256 fingerprint in the SDP answer, not by a CA, so one made at
/// start and kept for the process is what every WebRTC server does.
/// </summary>
public sealed class DtlsIdentity
{
    private DtlsIdentity(X509Certificate certificate, AsymmetricKeyParameter privateKey)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        Fingerprint = SHA256.HashData(certificate.GetEncoded());
    }

    public X509Certificate Certificate { get; }

    public AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>SHA-256 of the DER certificate: the answer's a=fingerprint.</summary>
    public byte[] Fingerprint { get; }

    public static DtlsIdentity Create()
    {
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.Sec.SecObjectIdentifiers.SecP256r1, random));
        var keys = generator.GenerateKeyPair();
        var name = new X509Name("CN=OnAir WebRTC");
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(BigInteger.ProbablePrime(64, random));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        builder.SetNotAfter(DateTime.UtcNow.AddDays(30));
        builder.SetPublicKey(keys.Public);
        var certificate = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keys.Private, random));
        return new DtlsIdentity(certificate, keys.Private);
    }
}
