using System.Security.Cryptography;
using Kvs.WebRtc.PeerConnection.Dtls;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>The pieces the flight handlers are built from, on their own: transcript, cipher-suite object, key share, signatures.</summary>
[TestFixture]
public sealed class DtlsHandshakePartsTests
{
    [Test]
    public void Transcript_AppendsAsUnfragmentedAndStopsAtItsCap()
    {
        var transcript = new DtlsTranscript();
        Assert.That(transcript.TryAppend(DtlsHandshakeType.ServerHelloDone, 3, []), Is.True);
        Assert.That(transcript.Messages.ToArray(), Is.EqualTo(new byte[] { 14, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0 }));

        Assert.That(transcript.TryAppend(DtlsHandshakeType.Certificate, 4, new byte[DtlsTranscript.MaxLength]), Is.False);
        Assert.That(transcript.TryAppendMessage(new byte[DtlsTranscript.MaxLength]), Is.False);
        Assert.That(transcript.Length, Is.EqualTo(12), "nothing appended past the cap");

        transcript.Reset();
        Assert.That(transcript.Length, Is.Zero);
    }

    [TestCase((ushort)0xC02B, 16, 4)]
    [TestCase((ushort)0xC02C, 32, 4)]
    [TestCase((ushort)0xCCA9, 32, 12)]
    public void CipherSuite_KeyBlockGivesMatchingDirections(ushort value, int keyLength, int ivLength)
    {
        var suite = (DtlsCipherSuite)value;
        if (!DtlsCipherSuiteInfo.IsSupported(suite))
        {
            Assert.Ignore($"{suite} is not available on this platform.");
        }

        var info = DtlsCipherSuiteInfo.For(suite);
        Assert.That((info.KeyLength, info.FixedIvLength), Is.EqualTo((keyLength, ivLength)));
        Assert.That(info.PrfHash, Is.EqualTo(suite == DtlsCipherSuite.EcdheEcdsaWithAes256GcmSha384 ? HashAlgorithmName.SHA384 : HashAlgorithmName.SHA256));

        var master = info.ComputeExtendedMasterSecret(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(500));
        var clientRandom = RandomNumberGenerator.GetBytes(32);
        var serverRandom = RandomNumberGenerator.GetBytes(32);
        var (clientSide, _) = info.CreateRecordProtection(master, clientRandom, serverRandom);
        var (peerClientView, peerServerView) = info.CreateRecordProtection(master, clientRandom, serverRandom);
        using (clientSide)
        using (peerClientView)
        using (peerServerView)
        {
            byte[] plaintext = [1, 2, 3, 4, 5];
            var sealedRecord = new byte[plaintext.Length + clientSide.Overhead];
            var sealedLength = clientSide.Seal(23, 1, 7, plaintext, sealedRecord);
            var opened = new byte[plaintext.Length];
            Assert.That(peerClientView.TryOpen(23, 1, 7, sealedRecord.AsSpan(0, sealedLength), opened, out var openedLength), Is.True, "the peer's view of the client key opens it");
            Assert.That(opened.AsSpan(0, openedLength).ToArray(), Is.EqualTo(plaintext));
            Assert.That(peerServerView.TryOpen(23, 1, 7, sealedRecord.AsSpan(0, sealedLength), opened, out _), Is.False, "the server key does not");
        }
    }

    [Test]
    public void CipherSuite_UnknownValue_IsRefused()
    {
        Assert.That(DtlsCipherSuiteInfo.IsSupported((DtlsCipherSuite)0x1301), Is.False);
        Assert.Throws<ArgumentOutOfRangeException>(() => DtlsCipherSuiteInfo.For((DtlsCipherSuite)0x1301));
    }

    [TestCase(DtlsNamedGroup.Secp256r1, 65)]
    [TestCase(DtlsNamedGroup.Secp384r1, 97)]
    public void KeyShare_BothSidesDeriveTheSameSecret(ushort group, int pointLength)
    {
        Assert.That(DtlsKeyShare.TryCreate(group, DtlsEntropy.System, out var a), Is.True);
        Assert.That(DtlsKeyShare.TryCreate(group, DtlsEntropy.System, out var b), Is.True);
        using (a)
        using (b)
        {
            var pointA = a!.EncodePublicPoint();
            Assert.That(pointA, Has.Length.EqualTo(pointLength));
            Assert.That(pointA[0], Is.EqualTo(DtlsCodePoint.UncompressedPoint));
            Assert.That(a.DeriveSharedSecret(b!.EncodePublicPoint()), Is.EqualTo(b.DeriveSharedSecret(pointA)));
        }
    }

    [Test]
    public void KeyShare_BadPointsAndGroups_AreRefusedWithoutThrowing()
    {
        Assert.That(DtlsKeyShare.TryCreate(29 /* x25519 */, DtlsEntropy.System, out var none), Is.False);
        Assert.That(none, Is.Null);
        Assert.That(DtlsKeyShare.TryCreate(DtlsNamedGroup.Secp256r1, DtlsEntropy.System, out var share), Is.True);
        using (share)
        {
            var point = share!.EncodePublicPoint();
            Assert.That(share.DeriveSharedSecret(point.AsSpan(0, 64)), Is.Null, "truncated");
            var compressed = (byte[])point.Clone();
            compressed[0] = 2;
            Assert.That(share.DeriveSharedSecret(compressed), Is.Null, "not uncompressed");
            var offCurve = (byte[])point.Clone();
            offCurve[^1] ^= 1;
            Assert.That(share.DeriveSharedSecret(offCurve), Is.Null, "not on the curve");
        }
    }

    [Test]
    public void Signatures_VerifyOnlyTheSignedDataUnderAKnownScheme()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        byte[] data = [1, 2, 3];
        var signature = DtlsEntropy.System.Sign(key, data);
        Assert.Multiple(() =>
        {
            Assert.That(DtlsSignatures.Verify(key, DtlsSignatures.LocalScheme, data, signature), Is.True);
            Assert.That(DtlsSignatures.Verify(key, DtlsSignatures.LocalScheme, [1, 2, 4], signature), Is.False);
            Assert.That(DtlsSignatures.Verify(key, 0x0804 /* rsa_pss */, data, signature), Is.False);
            Assert.That(DtlsSignatures.Verify(null, DtlsSignatures.LocalScheme, data, signature), Is.False);
            Assert.That(DtlsSignatures.Verify(key, DtlsSignatures.LocalScheme, data, [0x30, 0x01]), Is.False);
        });
    }
}
