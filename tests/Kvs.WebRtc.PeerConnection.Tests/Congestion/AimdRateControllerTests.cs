using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class AimdRateControllerTests
{
    private const long Rtt = 100_000;

    [Test]
    public void Update_Overusing_DecreasesTo085TimesAckedAndEndsStartup()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 2_000_000 });
        Assert.That(aimd.Update(BandwidthUsage.Overusing, 1_500_000, Rtt, 0), Is.EqualTo(1_275_000));
        Assert.That(aimd.InStartup, Is.False);
        Assert.That(aimd.LinkCapacityKbps, Is.EqualTo(1500));
    }

    [Test]
    public void Update_OverusingAgainWithinRtt_DoesNotDecreaseTwice()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 2_000_000 });
        aimd.Update(BandwidthUsage.Overusing, 1_500_000, Rtt, 0);
        Assert.That(aimd.Update(BandwidthUsage.Overusing, 1_000_000, Rtt, 50_000), Is.EqualTo(1_275_000));
        Assert.That(aimd.Update(BandwidthUsage.Overusing, 1_000_000, Rtt, 150_000), Is.EqualTo(850_000));
    }

    [Test]
    public void Update_OverusingWithAckedAboveRate_NeverIncreases()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions());
        Assert.That(aimd.Update(BandwidthUsage.Overusing, 5_000_000, Rtt, 0), Is.EqualTo(300_000));
    }

    [Test]
    public void Update_NormalDuringStartup_DoublesPerSecond()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 1_000_000 });
        for (long t = 0; t <= 1_000_000; t += 100_000)
        {
            aimd.Update(BandwidthUsage.Normal, 10_000_000, Rtt, t);
        }

        Assert.That(aimd.RateBps, Is.InRange(1_990_000, 2_010_000));
    }

    [Test]
    public void Update_Normal_NeverAbove15TimesAckedPlus10k()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 1_000_000 });
        for (long t = 0; t <= 3_000_000; t += 100_000)
        {
            aimd.Update(BandwidthUsage.Normal, 1_000_000, Rtt, t);
        }

        Assert.That(aimd.RateBps, Is.EqualTo(1_510_000));
    }

    [Test]
    public void Update_NormalNearCapacity_IncreasesAboutOnePacketPerResponseTime()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 2_000_000 });
        aimd.Update(BandwidthUsage.Overusing, 1_500_000, Rtt, 0); // 1.275 Mbit/s, capacity 1.5 Mbit/s
        for (long t = 100_000; t <= 1_100_000; t += 100_000)
        {
            aimd.Update(BandwidthUsage.Normal, 1_400_000, Rtt, t);
        }

        // One ~1,060-byte packet (5 per 30 fps frame) per 200 ms of response time: ≈ 42 kbit/s per second.
        Assert.That(aimd.RateBps - 1_275_000, Is.InRange(35_000, 50_000));
    }

    [Test]
    public void Update_NormalFarAboveOldCapacity_IncreasesMultiplicatively()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 2_000_000 });
        aimd.Update(BandwidthUsage.Overusing, 1_000_000, Rtt, 0); // 850 kbit/s, capacity 1 Mbit/s
        for (long t = 100_000; t <= 1_100_000; t += 100_000)
        {
            aimd.Update(BandwidthUsage.Normal, 2_000_000, Rtt, t);
        }

        Assert.That(aimd.RateBps, Is.EqualTo(850_000 * Math.Pow(1.08, 1.1)).Within(100), "× 1.08 per second");
        Assert.That(aimd.LinkCapacityKbps, Is.EqualTo(-1), "the old capacity is forgotten");
    }

    [Test]
    public void Update_NoOveruseFor3s_ForgetsCapacityAndGrowsMultiplicatively()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions { StartBitrateBps = 2_000_000 });
        aimd.Update(BandwidthUsage.Overusing, 1_500_000, Rtt, 0);
        for (long t = 100_000; t <= 3_000_000; t += 100_000)
        {
            aimd.Update(BandwidthUsage.Normal, 1_400_000, Rtt, t);
        }

        Assert.That(aimd.LinkCapacityKbps, Is.EqualTo(1500), "additive for 3 s");
        var before = aimd.RateBps;
        aimd.Update(BandwidthUsage.Normal, 1_400_000, Rtt, 3_100_000);
        Assert.That(aimd.LinkCapacityKbps, Is.EqualTo(-1));
        Assert.That(aimd.RateBps, Is.EqualTo(before * Math.Pow(1.08, 0.1)).Within(2));
    }

    [Test]
    public void Update_Underusing_Holds()
    {
        var aimd = new AimdRateController(new BandwidthEstimatorOptions());
        aimd.Update(BandwidthUsage.Underusing, 1_000_000, Rtt, 0);
        Assert.That(aimd.Update(BandwidthUsage.Underusing, 1_000_000, Rtt, 1_000_000), Is.EqualTo(300_000));
    }

    [Test]
    public void Update_ExtremeInputs_StaysWithinLimits()
    {
        var options = new BandwidthEstimatorOptions();
        var aimd = new AimdRateController(options);
        aimd.Update(BandwidthUsage.Overusing, 1, Rtt, 0);
        Assert.That(aimd.RateBps, Is.EqualTo(options.MinBitrateBps));
        for (long t = 0; t < 100_000_000; t += 1_000_000)
        {
            aimd.Update(BandwidthUsage.Normal, long.MaxValue / 4, long.MaxValue, t);
        }

        Assert.That(aimd.RateBps, Is.EqualTo(options.MaxBitrateBps));
    }
}
