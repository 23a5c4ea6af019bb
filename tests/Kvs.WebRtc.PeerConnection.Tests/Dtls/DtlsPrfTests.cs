using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

[TestFixture]
public sealed class DtlsPrfTests
{
    [Test]
    public void Compute_Sha256KnownAnswer_MatchesPublishedTls12Vector()
    {
        // The TLS 1.2 P_SHA256 vector published on the IETF TLS WG list (msg03416).
        var output = new byte[100];
        DtlsPrf.Compute(HashAlgorithmName.SHA256, Convert.FromHexString("9bbe436ba940f017b17652849a71db35"), "test label",
            Convert.FromHexString("a0ba9f936cda311827a6f796ffd5198c"), output);
        Assert.That(Convert.ToHexString(output), Is.EqualTo((
            "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a" +
            "6b301791e90d35c9c9a46b4e14baf9af0fa022f7077def17abfd3797c0564bab" +
            "4fbc91666e9def9b97fce34f796789baa48082d122ee42c5a72e5a5110fff701" +
            "87347b66").ToUpperInvariant()));
    }

    [Test]
    public void Compute_Sha384KnownAnswer_StartsWithPublishedVector()
    {
        var output = new byte[32];
        DtlsPrf.Compute(HashAlgorithmName.SHA384, Convert.FromHexString("b80b733d6ceefcdc71566ea48e5567df"), "test label",
            Convert.FromHexString("cd665cf6a8447dd6ff8b27555edb7465"), output);
        Assert.That(Convert.ToHexString(output), Is.EqualTo("7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cd".ToUpperInvariant()));
    }
}
