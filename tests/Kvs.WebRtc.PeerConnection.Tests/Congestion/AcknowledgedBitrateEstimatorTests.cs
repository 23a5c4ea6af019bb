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
}
