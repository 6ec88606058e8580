using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace OnAir.Server;

/// <summary>
/// A certificate for TLS, bound under <c>tls</c> in onair.json. When set, the HTTP port speaks HTTPS
/// with HTTP/2 (what Apple's players require for LL-HLS) and HTTP/1.1 negotiated by ALPN.
/// </summary>
public sealed class TlsOptions
{
    /// <summary>PEM certificate (with its chain, leaf first). Default none: plain HTTP.</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM private key of the certificate (PKCS#8, PKCS#1 or SEC1; unencrypted).</summary>
    public string? KeyFile { get; set; }

    public bool Enabled => !string.IsNullOrEmpty(CertificateFile) || !string.IsNullOrEmpty(KeyFile);

    /// <exception cref="CryptographicException">The files do not hold a certificate and its key.</exception>
    public X509Certificate2 LoadCertificate() => X509Certificate2.CreateFromPemFile(CertificateFile!, KeyFile);
}
