using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class Crc32cTests
{
    private static IEnumerable<TestCaseData> Rfc3720Vectors()
    {
        // RFC 3720 appendix B.4; the RFC prints the CRC bytes in transmission (little-endian) order.
        yield return new TestCaseData(new byte[32], 0x8A9136AAu).SetName("Rfc3720_32Zeros");
        yield return new TestCaseData(Enumerable.Repeat((byte)0xFF, 32).ToArray(), 0x62A8AB43u).SetName("Rfc3720_32Ones");
        yield return new TestCaseData(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), 0x46DD794Eu).SetName("Rfc3720_Incrementing");
        yield return new TestCaseData(Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(), 0x113FDB5Cu).SetName("Rfc3720_Decrementing");
        yield return new TestCaseData(
            new byte[]
            {
                0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
                0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            },
            0xD9963A56u).SetName("Rfc3720_IscsiReadPdu");
        yield return new TestCaseData("123456789"u8.ToArray(), 0xE3069283u).SetName("CheckValue_123456789");
    }

    [TestCaseSource(nameof(Rfc3720Vectors))]
    public void Compute_KnownVector_MatchesRfc(byte[] data, uint expected) =>
        Assert.That(Crc32c.Compute(data), Is.EqualTo(expected));

    [TestCaseSource(nameof(Rfc3720Vectors))]
    public void UpdateSoftware_KnownVector_MatchesRfc(byte[] data, uint expected) =>
        Assert.That(~Crc32c.UpdateSoftware(0xFFFFFFFFu, data), Is.EqualTo(expected));

    [Test]
    public void Compute_RandomLengths_HardwareAndTablePathsAgree()
    {
        var random = new Random(7);
        for (var length = 0; length < 300; length++)
        {
            var data = new byte[length];
            random.NextBytes(data);
            Assert.That(Crc32c.Compute(data), Is.EqualTo(~Crc32c.UpdateSoftware(0xFFFFFFFFu, data)), $"length {length}");
        }
    }

    [Test]
    public void Update_SplitInput_EqualsOneShot()
    {
        var data = new byte[1000];
        new Random(3).NextBytes(data);
        var crc = Crc32c.Update(0xFFFFFFFFu, data.AsSpan(0, 333));
        crc = Crc32c.Update(crc, data.AsSpan(333));
        Assert.That(~crc, Is.EqualTo(Crc32c.Compute(data)));
    }
}
