using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kvs.WebRtc.PeerConnection.Dtls;

/// <summary>
/// The local DTLS identity of a peer connection: a self-signed ECDSA P-256 X.509 certificate and its private key,
/// advertised in SDP by its SHA-256 fingerprint. The .NET counterpart of the W3C <c>RTCCertificate</c>.
/// Generate one per connection or reuse one across connections until <see cref="Expires"/>.
/// </summary>
/// <remarks>
/// WebRTC authenticates DTLS peers by the fingerprints exchanged in signaling (RFC 8827 §6.5, RFC 8122), not by a
/// CA chain, so the certificate is self-signed. Thread-safe for reading; dispose when no connection uses it.
/// </remarks>
public sealed class DtlsCertificate : IDisposable
{
    private readonly ECDsa _privateKey;
    private readonly byte[] _der;
    private readonly bool _ownsCertificate;

    private DtlsCertificate(X509Certificate2 certificate, ECDsa privateKey, bool ownsCertificate)
    {
        Certificate = certificate;
        _ownsCertificate = ownsCertificate;
        _privateKey = privateKey;
        _der = certificate.RawData;
        Fingerprint = DtlsFingerprint.Compute("sha-256", _der);
    }

    /// <summary>The X.509 certificate (public part).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The SHA-256 fingerprint, whose <see cref="DtlsFingerprint.ToString"/> is the SDP form <c>sha-256 AB:CD:...</c>.</summary>
    public DtlsFingerprint Fingerprint { get; }

    /// <summary>When the certificate stops being valid.</summary>
    public DateTimeOffset Expires => new(Certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);

    /// <summary>The certificate's DER encoding, as sent in the DTLS Certificate message.</summary>
    internal ReadOnlySpan<byte> RawData => _der;

    /// <summary>The signing key.</summary>
    internal ECDsa PrivateKey => _privateKey;

    /// <summary>Generates a new self-signed ECDSA P-256 certificate.</summary>
    /// <param name="validity">How long it is valid; default 30 days. Its start is backdated one day to tolerate clock skew.</param>
    /// <param name="subjectName">Subject distinguished name; default <c>CN=WebRTC</c>.</param>
    public static DtlsCertificate Generate(TimeSpan? validity = null, string subjectName = "CN=WebRTC")
    {
        var lifetime = validity ?? TimeSpan.FromDays(30);
        if (lifetime <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(validity), "Validity must be positive.");
        }

        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            var request = new CertificateRequest(subjectName, key, HashAlgorithmName.SHA256);
            var now = DateTimeOffset.UtcNow;
            var certificate = request.CreateSelfSigned(now.AddDays(-1), now.Add(lifetime));
            return new DtlsCertificate(certificate, key, ownsCertificate: true);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Wraps an existing certificate that has an ECDSA P-256 private key (e.g. one persisted by the application).
    /// The caller keeps ownership of <paramref name="certificate"/>; disposing the result does not dispose it.
    /// </summary>
    /// <exception cref="ArgumentException">The certificate has no ECDSA P-256 private key.</exception>
    public static DtlsCertificate FromCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var key = certificate.GetECDsaPrivateKey() ?? throw new ArgumentException("The certificate has no ECDSA private key.", nameof(certificate));
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new ArgumentException("Only ECDSA P-256 certificates are supported.", nameof(certificate));
        }

        return new DtlsCertificate(certificate, key, ownsCertificate: false);
    }

    /// <summary>The SDP form of the fingerprint, e.g. <c>sha-256 AB:CD:...</c> (no secrets).</summary>
    public override string ToString() => Fingerprint.ToString();

    /// <inheritdoc />
    public void Dispose()
    {
        _privateKey.Dispose();
        if (_ownsCertificate)
        {
            Certificate.Dispose();
        }
    }
}
