using System.Security.Cryptography.X509Certificates;
using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

[TestFixture]
public sealed class DtlsFingerprintTests
{
    [Test]
    public void Certificate_Fingerprint_IsSha256OfDerInSdpForm()
    {
        using var certificate = DtlsCertificate.Generate();
        var text = certificate.Fingerprint.ToString();
        Assert.That(text, Does.Match("^sha-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}$"));
        var expected = System.Security.Cryptography.SHA256.HashData(certificate.Certificate.RawData);
        Assert.That(certificate.Fingerprint.Value.ToArray(), Is.EqualTo(expected));
        Assert.That(certificate.Fingerprint.Matches(certificate.Certificate.RawData), Is.True);
    }

    [Test]
    public void Certificate_IsEcdsaP256SelfSignedAndValidNow()
    {
        using var certificate = DtlsCertificate.Generate(TimeSpan.FromDays(2));
        using var key = certificate.Certificate.GetECDsaPublicKey();
        Assert.That(key, Is.Not.Null);
        Assert.That(key!.KeySize, Is.EqualTo(256));
        Assert.That(certificate.Certificate.Subject, Is.EqualTo(certificate.Certificate.Issuer));
        Assert.That(certificate.Expires, Is.GreaterThan(DateTimeOffset.UtcNow.AddDays(1)));
        Assert.That(certificate.Expires, Is.LessThan(DateTimeOffset.UtcNow.AddDays(3)));
    }

    [Test]
    public void FromCertificate_RoundTripsFingerprint()
    {
        using var generated = DtlsCertificate.Generate();
        using var wrapped = DtlsCertificate.FromCertificate(generated.Certificate);
        Assert.That(wrapped.Fingerprint, Is.EqualTo(generated.Fingerprint));
    }

    [Test]
    public void Parse_SdpValue_RoundTripsAndIgnoresHexCase()
    {
        using var certificate = DtlsCertificate.Generate();
        var text = certificate.Fingerprint.ToString();
        var parsed = DtlsFingerprint.Parse(text.ToLowerInvariant());
        Assert.That(parsed, Is.EqualTo(certificate.Fingerprint));
        Assert.That(parsed.ToString(), Is.EqualTo(text));
        Assert.That(parsed.GetHashCode(), Is.EqualTo(certificate.Fingerprint.GetHashCode()));
    }

    [TestCase("")]
    [TestCase("sha-256")]
    [TestCase("md5 AB:CD")]
    [TestCase("sha-256 AB:CD")]
    [TestCase("sha-1 ZZ:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00")]
    [TestCase("sha-1 0:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:000")]
    public void TryParse_Invalid_ReturnsFalse(string text)
    {
        Assert.That(DtlsFingerprint.TryParse(text, out _), Is.False);
        Assert.Throws<FormatException>(() => DtlsFingerprint.Parse(text));
    }

    [Test]
    public void TryParse_Sha1_IsAccepted()
    {
        Assert.That(DtlsFingerprint.TryParse("sha-1 " + string.Join(':', Enumerable.Repeat("0A", 20)), out var fingerprint), Is.True);
        Assert.That(fingerprint!.Algorithm, Is.EqualTo("sha-1"));
    }
}
