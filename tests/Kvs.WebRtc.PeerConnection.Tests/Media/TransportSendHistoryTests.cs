using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>The ring of (transport-wide sequence number, size, send time) the send-side estimator looks up.</summary>
[TestFixture]
public sealed class TransportSendHistoryTests
{
    [Test]
    public void TryGet_RecordedPacket_ReturnsItsSizeAndSendTime_UnknownFails()
    {
        var history = new TransportSendHistory();
        history.OnPacketSent(7, 1234, 5678);

        Assert.That(history.TryGet(7, out var size, out var ticks), Is.True);
        Assert.That((size, ticks), Is.EqualTo((1234, 5678L)));
        Assert.That(history.TryGet(8, out _, out _), Is.False);
        Assert.That(history.RecordedCount, Is.EqualTo(1));
    }

    [Test]
    public void TryGet_AcrossThe16BitWrap_FindsTheLastCapacityPackets_AndForgetsOlderOnes()
    {
        var history = new TransportSendHistory(capacity: 16);
        for (var i = 0; i < 40; i++)
        {
            history.OnPacketSent((ushort)(65530 + i), 1000 + i, i);
        }

        var found = Enumerable.Range(0, 40).Where(i => history.TryGet((ushort)(65530 + i), out var s, out var t) && s == 1000 + i && t == i).ToList();

        Assert.That(found, Is.EqualTo(Enumerable.Range(24, 16)), "exactly the last 16 sent");
    }

    [TestCase(0)]
    [TestCase(100)]
    [TestCase(65536)]
    public void Constructor_CapacityNotAPowerOfTwoInRange_Throws(int capacity) =>
        Assert.That(() => new TransportSendHistory(capacity), Throws.TypeOf<ArgumentOutOfRangeException>());

    [Test]
    public void OnPacketSent_AfterWarmUp_AllocatesNothing()
    {
        var history = new TransportSendHistory();
        history.OnPacketSent(0, 1, 1);
        history.TryGet(0, out _, out _);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            history.OnPacketSent((ushort)i, i, i);
            history.TryGet((ushort)i, out _, out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
