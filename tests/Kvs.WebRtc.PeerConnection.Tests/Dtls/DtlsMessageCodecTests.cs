using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Dtls.Messages;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

/// <summary>
/// The handshake message codecs of Dtls/Messages on their own: each round-trips what it writes, rejects every
/// truncation and trailing bytes with false (never an exception), and rejects its specific malformations.
/// </summary>
[TestFixture]
public sealed class DtlsMessageCodecTests
{
    private delegate bool Parser(ReadOnlySpan<byte> body);

    private static readonly byte[] s_point = [DtlsCodePoint.UncompressedPoint, .. Enumerable.Range(1, 64).Select(i => (byte)i)];
    private static readonly byte[] s_signature = Enumerable.Range(0, 71).Select(i => (byte)(0x30 + i)).ToArray();

    [Test]
    public void HandshakeHeader_WriteThenRead_RoundTripsEveryField()
    {
        var bytes = new byte[DtlsHandshakeHeader.Size + 5];
        DtlsHandshakeHeader.Write(bytes, DtlsHandshakeType.Certificate, length: 300, sequence: 0x1234, offset: 295, fragmentLength: 5);
        Assert.That(DtlsHandshakeHeader.TryRead(bytes, out var header, out var fragment, out var consumed), Is.True);
        Assert.That(header, Is.EqualTo(new DtlsHandshakeHeader((byte)DtlsHandshakeType.Certificate, 300, 0x1234, 295, 5)));
        Assert.That(fragment.Length, Is.EqualTo(5));
        Assert.That(consumed, Is.EqualTo(bytes.Length));
        Assert.That(header.IsWhole, Is.False);
    }

    [Test]
    public void HandshakeHeader_FragmentBeyondMessageOrInput_IsRejected()
    {
        var beyondMessage = new byte[DtlsHandshakeHeader.Size + 10];
        DtlsHandshakeHeader.Write(beyondMessage, DtlsHandshakeType.Finished, length: 12, sequence: 1, offset: 4, fragmentLength: 10);
        var beyondInput = new byte[DtlsHandshakeHeader.Size + 3];
        DtlsHandshakeHeader.Write(beyondInput, DtlsHandshakeType.Finished, length: 12, sequence: 1, offset: 0, fragmentLength: 12);
        Assert.That(DtlsHandshakeHeader.TryRead(beyondMessage, out _, out _, out _), Is.False);
        Assert.That(DtlsHandshakeHeader.TryRead(beyondInput, out _, out _, out _), Is.False);
        AssertEveryTruncationRejected(WholeHandshake(DtlsHandshakeType.Finished, new byte[12]), b => DtlsHandshakeHeader.TryRead(b, out _, out _, out _));
    }

    [Test]
    public void HelloVerifyRequest_RoundTripsAndRejectsEmptyCookie()
    {
        var body = new byte[DtlsHelloVerifyRequest.BodyLength(3)];
        DtlsHelloVerifyRequest.Write(body, [1, 2, 3]);
        Assert.That(DtlsHelloVerifyRequest.TryParse(body, out var parsed), Is.True);
        Assert.That(parsed.ServerVersion, Is.EqualTo(DtlsVersion.Dtls10));
        Assert.That(parsed.Cookie.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3 }));
        Assert.That(DtlsHelloVerifyRequest.TryParse([0xFE, 0xFF, 0], out _), Is.False, "empty cookie");
        AssertMalformationsRejected(body, b => DtlsHelloVerifyRequest.TryParse(b, out _));
    }

    [Test]
    public void Certificate_RoundTripsTheLeaf()
    {
        var der = Enumerable.Range(0, 300).Select(i => (byte)i).ToArray();
        var writer = new DtlsWriter();
        DtlsCertificateMessage.Write(writer, der);
        Assert.That(DtlsCertificateMessage.TryParse(writer.WrittenSpan, out var parsed), Is.True);
        Assert.That(parsed.Leaf.ToArray(), Is.EqualTo(der));
        AssertMalformationsRejected(writer.ToArray(), b => DtlsCertificateMessage.TryParse(b, out _));
    }

    [Test]
    public void Certificate_EmptyListOrUnreadableEntry_ParsesWithEmptyLeaf()
    {
        // Well-formed outer list without a usable certificate: the state machine reports "no certificate".
        Assert.That(DtlsCertificateMessage.TryParse([0, 0, 0], out var empty), Is.True);
        Assert.That(empty.Leaf.IsEmpty, Is.True);
        Assert.That(DtlsCertificateMessage.TryParse([0, 0, 2, 0, 0], out var unreadable), Is.True);
        Assert.That(unreadable.Leaf.IsEmpty, Is.True);
    }

    [Test]
    public void ServerKeyExchange_RoundTripsParametersAndSignature()
    {
        var writer = new DtlsWriter();
        DtlsServerKeyExchange.WriteParameters(writer, DtlsNamedGroup.Secp256r1, s_point);
        var parametersLength = writer.Length;
        DtlsServerKeyExchange.WriteSignature(writer, DtlsSignatureScheme.EcdsaSecp256r1Sha256, s_signature);
        var bytes = writer.ToArray();

        Assert.That(DtlsServerKeyExchange.TryParse(bytes, out var parsed), Is.True);
        var group = parsed.NamedGroup;
        var point = parsed.PublicPoint.ToArray();
        var parameters = parsed.Parameters.ToArray();
        var scheme = parsed.SignatureScheme;
        var signature = parsed.Signature.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(group, Is.EqualTo(DtlsNamedGroup.Secp256r1));
            Assert.That(point, Is.EqualTo(s_point));
            Assert.That(parameters, Is.EqualTo(bytes[..parametersLength]), "the signed ServerECDHParams");
            Assert.That(scheme, Is.EqualTo(DtlsSignatureScheme.EcdsaSecp256r1Sha256));
            Assert.That(signature, Is.EqualTo(s_signature));
        });
        AssertMalformationsRejected(bytes, b => DtlsServerKeyExchange.TryParse(b, out _));
    }

    [Test]
    public void ServerKeyExchange_CurveTypeOtherThanNamedCurve_IsRejected()
    {
        var writer = new DtlsWriter();
        DtlsServerKeyExchange.WriteParameters(writer, DtlsNamedGroup.Secp256r1, s_point);
        DtlsServerKeyExchange.WriteSignature(writer, DtlsSignatureScheme.EcdsaSecp256r1Sha256, s_signature);
        var bytes = writer.ToArray();
        bytes[0] = 1; // explicit_prime
        Assert.That(DtlsServerKeyExchange.TryParse(bytes, out _), Is.False);
    }

    [Test]
    public void CertificateRequest_RoundTripsAndNeedsACertificateType()
    {
        var writer = new DtlsWriter();
        DtlsCertificateRequest.Write(writer, [DtlsSignatureScheme.EcdsaSecp256r1Sha256, DtlsSignatureScheme.EcdsaSecp384r1Sha384]);
        Assert.That(DtlsCertificateRequest.TryParse(writer.WrittenSpan, out var parsed), Is.True);
        Assert.That(parsed.CertificateTypes.ToArray(), Is.EqualTo(new[] { DtlsCodePoint.EcdsaSign }));
        Assert.That(parsed.SignatureSchemes.ToArray(), Is.EqualTo(new byte[] { 4, 3, 5, 3 }));
        Assert.That(DtlsCertificateRequest.TryParse([0, 0, 0, 0, 0], out _), Is.False, "no certificate type");
        AssertMalformationsRejected(writer.ToArray(), b => DtlsCertificateRequest.TryParse(b, out _));
    }

    [Test]
    public void ServerHelloDone_OnlyEmptyBodyIsValid()
    {
        Assert.That(DtlsServerHelloDone.TryParse([]), Is.True);
        Assert.That(DtlsServerHelloDone.TryParse([0]), Is.False);
    }

    [Test]
    public void ClientKeyExchange_RoundTripsThePoint()
    {
        var writer = new DtlsWriter();
        DtlsClientKeyExchange.Write(writer, s_point);
        Assert.That(DtlsClientKeyExchange.TryParse(writer.WrittenSpan, out var parsed), Is.True);
        Assert.That(parsed.PublicPoint.ToArray(), Is.EqualTo(s_point));
        AssertMalformationsRejected(writer.ToArray(), b => DtlsClientKeyExchange.TryParse(b, out _));
    }

    [Test]
    public void CertificateVerify_RoundTripsSchemeAndSignature()
    {
        var writer = new DtlsWriter();
        DtlsCertificateVerify.Write(writer, DtlsSignatureScheme.EcdsaSecp384r1Sha384, s_signature);
        Assert.That(DtlsCertificateVerify.TryParse(writer.WrittenSpan, out var parsed), Is.True);
        Assert.That(parsed.SignatureScheme, Is.EqualTo(DtlsSignatureScheme.EcdsaSecp384r1Sha384));
        Assert.That(parsed.Signature.ToArray(), Is.EqualTo(s_signature));
        AssertMalformationsRejected(writer.ToArray(), b => DtlsCertificateVerify.TryParse(b, out _));
    }

    [Test]
    public void Finished_OnlyTwelveBytesAreValid()
    {
        var verifyData = Enumerable.Range(0, 12).Select(i => (byte)i).ToArray();
        Assert.That(DtlsFinished.TryParse(verifyData, out var parsed), Is.True);
        Assert.That(parsed.VerifyData.ToArray(), Is.EqualTo(verifyData));
        Assert.That(DtlsFinished.TryParse(verifyData.AsSpan(0, 11), out _), Is.False);
        Assert.That(DtlsFinished.TryParse(new byte[13], out _), Is.False);
    }

    [Test]
    public void Parsers_RandomBytes_NeverThrow()
    {
        var random = new Random(14);
        var buffer = new byte[400];
        for (var i = 0; i < 2000; i++)
        {
            var length = random.Next(0, buffer.Length);
            random.NextBytes(buffer);
            var bytes = buffer.AsSpan(0, length).ToArray();
            Assert.DoesNotThrow(() =>
            {
                _ = DtlsHandshakeHeader.TryRead(bytes, out _, out _, out _);
                _ = DtlsHelloVerifyRequest.TryParse(bytes, out _);
                _ = DtlsCertificateMessage.TryParse(bytes, out _);
                _ = DtlsServerKeyExchange.TryParse(bytes, out _);
                _ = DtlsCertificateRequest.TryParse(bytes, out _);
                _ = DtlsClientKeyExchange.TryParse(bytes, out _);
                _ = DtlsCertificateVerify.TryParse(bytes, out _);
                _ = DtlsFinished.TryParse(bytes, out _);
            });
        }
    }

    /// <summary>Every proper prefix and the body with a trailing byte are rejected; the body itself is accepted.</summary>
    private static void AssertMalformationsRejected(byte[] body, Parser parse)
    {
        Assert.That(parse(body), Is.True, "the well-formed body");
        AssertEveryTruncationRejected(body, parse);
        Assert.That(parse([.. body, 0]), Is.False, "trailing byte");
    }

    private static void AssertEveryTruncationRejected(byte[] body, Parser parse)
    {
        for (var length = 0; length < body.Length; length++)
        {
            Assert.That(parse(body.AsSpan(0, length)), Is.False, $"truncated to {length} of {body.Length} bytes");
        }
    }

    private static byte[] WholeHandshake(DtlsHandshakeType type, byte[] body)
    {
        var writer = new DtlsWriter();
        DtlsHandshakeHeader.WriteWhole(writer, type, 0, body);
        return writer.ToArray();
    }
}
