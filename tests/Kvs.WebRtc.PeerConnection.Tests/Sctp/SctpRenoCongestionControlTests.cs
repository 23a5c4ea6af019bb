using Kvs.WebRtc.PeerConnection.Sctp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

public sealed class SctpRenoCongestionControlTests
{
    private const int Mtu = 1200;

    [Test]
    public void InitialWindow_FollowsRfc9260Section721()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 65536);
        Assert.That(cc.CongestionWindow, Is.EqualTo(4380), "min(4*MTU, max(2*MTU, 4380))");
        Assert.That(cc.SlowStartThreshold, Is.EqualTo(65536));
        Assert.That(new SctpRenoCongestionControl(9000, 65536).CongestionWindow, Is.EqualTo(18000));
        Assert.That(new SctpRenoCongestionControl(500, 65536).CongestionWindow, Is.EqualTo(2000));
    }

    [Test]
    public void PeerReceiveWindow_BecomesThreshold()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 65536);
        cc.OnPeerReceiveWindow(10_000);
        Assert.That(cc.SlowStartThreshold, Is.EqualTo(10_000));
    }

    [Test]
    public void SlowStart_GrowsByAckedBytesCappedAtOneMtu_OnlyWhenWindowWasUsed()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 1_000_000);
        var start = cc.CongestionWindow;
        cc.OnSack(1, cumulativeAdvanced: true, bytesAcknowledged: 500, flightSizeBefore: start, dataWaiting: false);
        Assert.That(cc.CongestionWindow, Is.EqualTo(start + 500));
        cc.OnSack(2, cumulativeAdvanced: true, bytesAcknowledged: 5000, flightSizeBefore: start, dataWaiting: false);
        Assert.That(cc.CongestionWindow, Is.EqualTo(start + 500 + Mtu), "at most one MTU per SACK");

        var before = cc.CongestionWindow;
        cc.OnSack(3, cumulativeAdvanced: true, bytesAcknowledged: 1000, flightSizeBefore: 0, dataWaiting: false);
        Assert.That(cc.CongestionWindow, Is.EqualTo(before), "an idle window does not grow");
        cc.OnSack(4, cumulativeAdvanced: true, bytesAcknowledged: 1000, flightSizeBefore: 0, dataWaiting: true);
        Assert.That(cc.CongestionWindow, Is.EqualTo(before + 1000), "queued data means the window limited the sender");
    }

    [Test]
    public void SlowStart_NoGrowthWithoutCumulativeAdvance()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 1_000_000);
        var start = cc.CongestionWindow;
        cc.OnSack(0, cumulativeAdvanced: false, bytesAcknowledged: 1000, flightSizeBefore: start, dataWaiting: true);
        Assert.That(cc.CongestionWindow, Is.EqualTo(start));
    }

    [Test]
    public void CongestionAvoidance_GrowsOneMtuPerWindowOfAckedBytes()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 1000);
        var cwnd = cc.CongestionWindow;
        Assert.That(cwnd, Is.GreaterThan(cc.SlowStartThreshold));
        cc.OnSack(1, true, cwnd - 1, cwnd, dataWaiting: false);
        Assert.That(cc.CongestionWindow, Is.EqualTo(cwnd), "partial bytes acked below cwnd");
        cc.OnSack(2, true, 1, cwnd, dataWaiting: false);
        Assert.That(cc.CongestionWindow, Is.EqualTo(cwnd + Mtu));
    }

    [Test]
    public void FastRetransmit_HalvesOncePerWindow_AndRecoveryEndsAtExitPoint()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 1_000_000);
        for (uint i = 1; i <= 20; i++)
        {
            cc.OnSack(i, true, Mtu, cc.CongestionWindow, dataWaiting: true);
        }

        var grown = cc.CongestionWindow;
        cc.OnFastRetransmit(highestTsnSent: 100);
        Assert.That(cc.InFastRecovery, Is.True);
        Assert.That(cc.CongestionWindow, Is.EqualTo(Math.Max(grown / 2, 4 * Mtu)));
        Assert.That(cc.SlowStartThreshold, Is.EqualTo(cc.CongestionWindow));

        var reduced = cc.CongestionWindow;
        cc.OnFastRetransmit(highestTsnSent: 120);
        Assert.That(cc.CongestionWindow, Is.EqualTo(reduced), "a second loss in the same window does not reduce again");
        cc.OnSack(50, true, Mtu, reduced, dataWaiting: true);
        Assert.That(cc.CongestionWindow, Is.EqualTo(reduced), "no growth during fast recovery");
        Assert.That(cc.InFastRecovery, Is.True);

        cc.OnSack(100, true, Mtu, reduced, dataWaiting: true);
        Assert.That(cc.InFastRecovery, Is.False, "the exit point is acknowledged");
        Assert.That(cc.CongestionWindow, Is.GreaterThan(reduced), "growth resumes with the SACK that ends recovery");
    }

    [Test]
    public void FastRecoveryExit_UsesSerialArithmetic()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 1_000_000);
        cc.OnFastRetransmit(highestTsnSent: 2);
        cc.OnSack(uint.MaxValue, true, Mtu, 0, dataWaiting: false);
        Assert.That(cc.InFastRecovery, Is.True, "0xFFFFFFFF precedes 2 in serial order");
        cc.OnSack(3, true, Mtu, 0, dataWaiting: false);
        Assert.That(cc.InFastRecovery, Is.False);
    }

    [Test]
    public void RetransmissionTimeout_CollapsesToOneMtu_AndLeavesFastRecovery()
    {
        var cc = new SctpRenoCongestionControl(Mtu, 1_000_000);
        for (uint i = 1; i <= 10; i++)
        {
            cc.OnSack(i, true, Mtu, cc.CongestionWindow, dataWaiting: true);
        }

        var grown = cc.CongestionWindow;
        cc.OnFastRetransmit(50);
        cc.OnRetransmissionTimeout();
        Assert.That(cc.CongestionWindow, Is.EqualTo(Mtu));
        Assert.That(cc.SlowStartThreshold, Is.EqualTo(Math.Max(Math.Max(grown / 2, 4 * Mtu) / 2, 4 * Mtu)));
        Assert.That(cc.InFastRecovery, Is.False);
    }
}
