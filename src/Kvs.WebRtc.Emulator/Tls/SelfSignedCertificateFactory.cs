using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kvs.WebRtc.Emulator.Tls;

/// <summary>Creates the emulator's self-signed TLS certificate (ECDSA P-256, SHA-256).</summary>
internal static class SelfSignedCertificateFactory
{
    /// <summary>
    /// Creates a certificate valid from one day before <paramref name="now"/> for 30 days, with subject alternative
    /// names 127.0.0.1, ::1, localhost and <paramref name="extraHostNames"/>. It is marked as its own CA
    /// (basic constraints CA, path length 0) so that clients can install it as a trust anchor.
    /// </summary>
    public static X509Certificate2 Create(DateTimeOffset now, IEnumerable<string> extraHostNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Kvs.WebRtc.Emulator, O=Kvs.WebRtc local emulator", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddIpAddress(IPAddress.IPv6Loopback);
        san.AddDnsName("localhost");
        foreach (var name in extraHostNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (IPAddress.TryParse(name, out var address))
            {
                if (!address.Equals(IPAddress.Loopback) && !address.Equals(IPAddress.IPv6Loopback))
                {
                    san.AddIpAddress(address);
                }
            }
            else if (!string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyCertSign, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));

        using var ephemeral = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));

        // Round-trip through PKCS#12 so the private key is usable by SslStream on every platform.
        var pfx = ephemeral.Export(X509ContentType.Pkcs12);
        try
        {
            return new X509Certificate2(pfx, (string?)null, X509KeyStorageFlags.Exportable);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pfx);
        }
    }
}
