using Kvs.WebRtc.PeerConnection.Dtls;
using Kvs.WebRtc.PeerConnection.Dtls.Messages;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Dtls;

[TestFixture]
public sealed class DtlsHelloTests
{
    [Test]
    public void ClientHello_WriteThenParse_RoundTripsEveryField()
    {
        var hello = SampleClientHello();
        var writer = new DtlsWriter();
        hello.Write(writer);
        Assert.That(DtlsClientHello.TryParse(writer.WrittenSpan, out var parsed), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(parsed.Version, Is.EqualTo(DtlsVersion.Dtls12));
            Assert.That(parsed.Random, Is.EqualTo(hello.Random));
            Assert.That(parsed.Cookie, Is.EqualTo(hello.Cookie));
            Assert.That(parsed.CipherSuites, Is.EqualTo(hello.CipherSuites));
            Assert.That(parsed.SupportedGroups, Is.EqualTo(hello.SupportedGroups));
            Assert.That(parsed.SignatureAlgorithms, Is.EqualTo(hello.SignatureAlgorithms));
            Assert.That(parsed.SrtpProfiles, Is.EqualTo(hello.SrtpProfiles));
            Assert.That(parsed.HasExtendedMasterSecret, Is.True);
            Assert.That(parsed.HasRenegotiationInfo, Is.True);
            Assert.That(parsed.HasEcPointFormats, Is.True);
        });
    }

    [Test]
    public void ServerHello_WriteThenParse_RoundTripsEveryField()
    {
        var hello = new DtlsServerHello
        {
            Random = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
            CipherSuite = 0xC02B,
            SrtpProfile = 7,
            HasExtendedMasterSecret = true,
            HasRenegotiationInfo = true,
            HasEcPointFormats = true,
        };
        var writer = new DtlsWriter();
        hello.Write(writer);
        Assert.That(DtlsServerHello.TryParse(writer.WrittenSpan, out var parsed), Is.True);
        Assert.That(parsed.CipherSuite, Is.EqualTo(0xC02B));
        Assert.That(parsed.SrtpProfile, Is.EqualTo(7));
        Assert.That(parsed.Random, Is.EqualTo(hello.Random));
        Assert.That(parsed.HasExtendedMasterSecret && parsed.HasRenegotiationInfo && parsed.HasEcPointFormats, Is.True);
    }

    [Test]
    public void Parsers_TruncatedInput_ReturnFalse()
    {
        var writer = new DtlsWriter();
        SampleClientHello().Write(writer);
        var bytes = writer.ToArray();
        for (var length = 0; length < 40; length++)
        {
            Assert.That(DtlsClientHello.TryParse(bytes.AsSpan(0, length), out _), Is.False, $"length {length}");
            Assert.That(DtlsServerHello.TryParse(bytes.AsSpan(0, length), out _), Is.False, $"length {length}");
        }
    }

    [Test]
    public void Parsers_RandomMutations_NeverThrow()
    {
        var writer = new DtlsWriter();
        SampleClientHello().Write(writer);
        var valid = writer.ToArray();
        var random = new Random(42);
        for (var i = 0; i < 5000; i++)
        {
            var copy = (byte[])valid.Clone();
            for (var m = random.Next(1, 6); m > 0; m--)
            {
                copy[random.Next(copy.Length)] = (byte)random.Next(256);
            }

            var length = random.Next(3) == 0 ? random.Next(copy.Length) : copy.Length;
            Assert.DoesNotThrow(() =>
            {
                _ = DtlsClientHello.TryParse(copy.AsSpan(0, length), out _);
                _ = DtlsServerHello.TryParse(copy.AsSpan(0, length), out _);
                _ = DtlsRecordHeader.TryRead(copy.AsSpan(0, length), out _);
            });
        }
    }

    [Test]
    public void RecordHeader_WriteThenRead_RoundTrips()
    {
        var buffer = new byte[13];
        DtlsRecordHeader.Write(buffer, 23, 1, 0x0000_1234_5678_9ABC, 300);
        Assert.That(DtlsRecordHeader.TryRead(buffer, out var header), Is.True);
        Assert.That(header, Is.EqualTo(new DtlsRecordHeader(23, DtlsVersion.Dtls12, 1, 0x1234_5678_9ABC, 300)));
        buffer[1] = 3; // TLS, not DTLS
        Assert.That(DtlsRecordHeader.TryRead(buffer, out _), Is.False);
    }

    private static DtlsClientHello SampleClientHello()
    {
        var hello = new DtlsClientHello
        {
            Random = Enumerable.Range(0, 32).Select(i => (byte)(i * 3)).ToArray(),
            Cookie = [1, 2, 3, 4],
            HasExtendedMasterSecret = true,
            HasRenegotiationInfo = true,
        };
        hello.CipherSuites.AddRange([0xC02B, 0xC02C]);
        hello.SupportedGroups.AddRange([23, 24]);
        hello.SignatureAlgorithms.AddRange([0x0403, 0x0503]);
        hello.SrtpProfiles.AddRange([7, 1]);
        return hello;
    }
}
