using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class AcknowledgedBitrateEstimatorTests
{
    [Test]
    public void Add_OneMegabitPerSecond_EstimatesIt()
    {
        var acked = new AcknowledgedBitrateEstimator();
        Assert.That(acked.BitrateBps, Is.Zero);
        for (long t = 0; t <= 2_000_000; t += 10_000)
        {
            acked.Add(t, 1250);
        }

        Assert.That(acked.BitrateBps, Is.EqualTo(1_000_000).Within(1));
    }

    [Test]
    public void Add_RateHalves_EstimateFollowsWithinAFewWindows()
    {
        var acked = new AcknowledgedBitrateEstimator();
        long t = 0;
        for (; t <= 2_000_000; t += 10_000)
        {
            acked.Add(t, 1250);
        }

        for (; t <= 3_500_000; t += 20_000)
        {
            acked.Add(t, 1250);
        }

        Assert.That(acked.BitrateBps, Is.InRange(490_000, 520_000));
    }

    [Test]
    public void PeakBitrateBps_BurstAtLinkRateBetweenSlowerTraffic_ReportsTheBurstThroughput()
    {
        var acked = new AcknowledgedBitrateEstimator();
        long t = 0;
        for (; t < 1_000_000; t += 10_000)
        {
            acked.Add(t, 1000); // 800 kbit/s
        }

        for (var i = 0; i < 30; i++, t += 5_000)
        {
            acked.Add(t, 1000); // a 150 ms burst at 1.6 Mbit/s
        }

        for (var end = t + 200_000; t < end; t += 10_000)
        {
            acked.Add(t, 1000);
        }

        Assert.That(acked.PeakBitrateBps, Is.EqualTo(1_600_000).Within(50_000));
        Assert.That(acked.BitrateBps, Is.LessThan(1_300_000));
    }

    [Test]
    public void PeakBitrateBps_SparsePackets_AreNotCounted()
    {
        var acked = new AcknowledgedBitrateEstimator();
        for (long t = 0; t < 1_000_000; t += 50_000)
        {
            acked.Add(t, 1000);
        }

        Assert.That(acked.PeakBitrateBps, Is.Zero);
    }
}
