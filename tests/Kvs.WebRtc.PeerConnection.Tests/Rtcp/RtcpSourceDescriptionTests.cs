using System.Text;
using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpSourceDescriptionTests
{
    [TestCase(1)]
    [TestCase(4)]
    [TestCase(5)]
    [TestCase(255)]
    public void WriteParse_CnameOfAnyLength_RoundTripsAligned(int length)
    {
        var cname = Encoding.ASCII.GetBytes(new string('c', length));
        var buffer = new byte[RtcpSourceDescription.GetSize(2, length)];
        var n = RtcpSourceDescription.Write(buffer, [10, 20], cname);
        Assert.That(n % 4, Is.Zero);
        Assert.That(RtcpSourceDescription.TryParse(buffer, out var sdes), Is.True);
        Assert.That(sdes.ChunkCount, Is.EqualTo(2));
        var reader = sdes.GetChunks();
        Assert.That(reader.TryReadNext(out var s1, out var c1) && s1 == 10 && c1.SequenceEqual(cname), Is.True);
        Assert.That(reader.TryReadNext(out var s2, out var c2) && s2 == 20 && c2.SequenceEqual(cname), Is.True);
        Assert.That(reader.TryReadNext(out _, out _), Is.False);
    }

    [Test]
    public void TryParse_OtherItemsBeforeCname_AreSkipped()
    {
        // SC=1, chunk: ssrc 5, TOOL(6) "ab", CNAME(1) "x", END, pad → 4 + 4 + 4 + 3 + 1 = 16 → length 3.
        byte[] packet = [0x81, 202, 0, 3, 0, 0, 0, 5, 6, 2, (byte)'a', (byte)'b', 1, 1, (byte)'x', 0];
        Assert.That(RtcpSourceDescription.TryParse(packet, out var sdes), Is.True);
        Assert.That(sdes.TryGetCname(out var ssrc, out var cname), Is.True);
        Assert.That(ssrc, Is.EqualTo(5u));
        Assert.That(cname.ToArray(), Is.EqualTo("x"u8.ToArray()));
    }

    [TestCase(new byte[] { 0x81, 202, 0, 1, 0, 0, 0, 5 }, TestName = "TryParse_ChunkWithoutEnd_ReturnsFalse")]
    [TestCase(new byte[] { 0x81, 202, 0, 2, 0, 0, 0, 5, 1, 9, 0x41, 0x41 }, TestName = "TryParse_ItemPastEnd_ReturnsFalse")]
    [TestCase(new byte[] { 0x82, 202, 0, 2, 0, 0, 0, 5, 1, 1, 0x41, 0 }, TestName = "TryParse_FewerChunksThanCount_ReturnsFalse")]
    [TestCase(new byte[] { 0x81, 202, 0, 5, 0, 0, 0, 5, 1, 1, 0x41, 0 }, TestName = "TryParse_LengthPastInput_ReturnsFalse")]
    public void TryParse_Malformed(byte[] packet)
    {
        Assert.That(RtcpSourceDescription.TryParse(packet, out _), Is.False);
    }
}
