using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Kvs.WebRtc.PeerConnection.Dtls;

namespace Kvs.WebRtc.InteropTests.Dtls;

/// <summary>Creates the certificate and key an external DTLS peer uses, as PEM files the test deletes afterwards.</summary>
internal static class PeerIdentity
{
    /// <summary>Writes an ECDSA (P-256 or P-384) self-signed certificate and PKCS#8 key; returns their paths and SHA-256 fingerprint.</summary>
    public static (string Cert, string Key, DtlsFingerprint Fingerprint) Write(string directory, int curveBits = 256)
    {
        using var key = ECDsa.Create(curveBits == 384 ? ECCurve.NamedCurves.nistP384 : ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=interop-peer", key, curveBits == 384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(directory, "peer-cert.pem");
        var keyPath = Path.Combine(directory, "peer-key.pem");
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certPath, keyPath, DtlsFingerprint.Compute("sha-256", certificate.RawData));
    }
}
