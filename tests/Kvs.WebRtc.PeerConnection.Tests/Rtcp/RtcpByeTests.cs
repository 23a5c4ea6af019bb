using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpByeTests
{
    [Test]
    public void WriteParse_SourcesAndReason_RoundTrip()
    {
        var buffer = new byte[RtcpBye.GetSize(2, 6)];
        var n = RtcpBye.Write(buffer, [1, 2], "closed"u8);
        Assert.That(n, Is.EqualTo(4 + 8 + 8));
        Assert.That(RtcpBye.TryParse(buffer, out var bye), Is.True);
        Assert.That(bye.SourceCount, Is.EqualTo(2));
        Assert.That(bye.GetSource(1), Is.EqualTo(2u));
        Assert.That(bye.Reason.ToArray(), Is.EqualTo("closed"u8.ToArray()));
    }

    [Test]
    public void TryParse_ReasonPastEnd_ReturnsFalse()
    {
        byte[] packet = [0x81, 203, 0, 2, 0, 0, 0, 1, 9, 0x41, 0x41, 0x41];
        Assert.That(RtcpBye.TryParse(packet, out _), Is.False);
        packet[0] = 0x83; // SC=3 with room for 2 words
        Assert.That(RtcpBye.TryParse(packet, out _), Is.False);
    }
}
