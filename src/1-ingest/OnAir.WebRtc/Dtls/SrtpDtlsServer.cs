using System.Security.Cryptography;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace OnAir.WebRtc.Dtls;

/// <summary>
/// The DTLS 1.2 server side of DTLS-SRTP (RFC 5764) on BouncyCastle: offers SRTP_AES128_CM_HMAC_SHA1_80
/// through the use_srtp extension, asks the browser for its certificate and accepts it only if its
/// SHA-256 matches the offer's a=fingerprint, and exports the SRTP keying material once the handshake is done.
/// </summary>
internal sealed class SrtpDtlsServer : DefaultTlsServer
{
    /// <summary>client key (16) + server key (16) + client salt (14) + server salt (14), RFC 5764 4.2.</summary>
    public const int KeyingMaterialLength = 2 * (SrtpKeys.KeyLength + SrtpKeys.SaltLength);

    private readonly DtlsIdentity _identity;
    private readonly byte[] _peerFingerprint;

    public SrtpDtlsServer(BcTlsCrypto crypto, DtlsIdentity identity, byte[] peerFingerprint)
        : base(crypto)
    {
        _identity = identity;
        _peerFingerprint = peerFingerprint;
    }

    /// <summary>The exported keying material, once the handshake completed.</summary>
    public byte[]? KeyingMaterial { get; private set; }

    public override ProtocolVersion[] GetProtocolVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
    ];

    protected override TlsCredentialedSigner GetECDsaSignerCredentials()
    {
        var certificate = new Certificate([new BcTlsCertificate((BcTlsCrypto)Crypto, _identity.Certificate.CertificateStructure)]);
        return new BcDefaultTlsCredentialedSigner(
            new TlsCryptoParameters(m_context),
            (BcTlsCrypto)Crypto,
            _identity.PrivateKey,
            certificate,
            SignatureAndHashAlgorithm.GetInstance(Org.BouncyCastle.Tls.HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = base.GetServerExtensions();
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80], TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var srtp = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (srtp is null || !srtp.ProtectionProfiles.Contains(SrtpProtectionProfile.SRTP_AES128_CM_HMAC_SHA1_80))
        {
            throw new TlsFatalAlert(AlertDescription.handshake_failure, "the peer offers no SRTP_AES128_CM_HMAC_SHA1_80");
        }
    }

    public override CertificateRequest GetCertificateRequest()
    {
        var algorithms = TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context);
        return new CertificateRequest([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], algorithms, null);
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "the peer sent no certificate");
        }

        var presented = SHA256.HashData(clientCertificate.GetCertificateAt(0).GetEncoded());
        if (!CryptographicOperations.FixedTimeEquals(presented, _peerFingerprint))
        {
            throw new TlsFatalAlert(AlertDescription.bad_certificate, "the peer's certificate does not match the offer's a=fingerprint");
        }
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        KeyingMaterial = m_context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, KeyingMaterialLength);
    }
}
