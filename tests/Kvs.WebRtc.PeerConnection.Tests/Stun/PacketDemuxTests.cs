using Kvs.WebRtc.PeerConnection.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Stun;

[TestFixture]
public sealed class PacketDemuxTests
{
    [TestCase(0, (int)DemuxPacketKind.Stun)]
    [TestCase(3, (int)DemuxPacketKind.Stun)]
    [TestCase(4, (int)DemuxPacketKind.Unknown)]
    [TestCase(16, (int)DemuxPacketKind.Zrtp)]
    [TestCase(20, (int)DemuxPacketKind.Dtls)]
    [TestCase(63, (int)DemuxPacketKind.Dtls)]
    [TestCase(64, (int)DemuxPacketKind.TurnChannelData)]
    [TestCase(79, (int)DemuxPacketKind.TurnChannelData)]
    [TestCase(80, (int)DemuxPacketKind.Unknown)]
    [TestCase(127, (int)DemuxPacketKind.Unknown)]
    [TestCase(128, (int)DemuxPacketKind.RtpOrRtcp)]
    [TestCase(191, (int)DemuxPacketKind.RtpOrRtcp)]
    [TestCase(192, (int)DemuxPacketKind.Unknown)]
    [TestCase(255, (int)DemuxPacketKind.Unknown)]
    public void Classify_FirstByte_FollowsRfc7983(int firstByte, int expected) =>
        Assert.That(PacketDemux.Classify([(byte)firstByte, 0, 0, 0]), Is.EqualTo((DemuxPacketKind)expected));

    [Test]
    public void Classify_Empty_IsUnknown() => Assert.That(PacketDemux.Classify([]), Is.EqualTo(DemuxPacketKind.Unknown));
}
