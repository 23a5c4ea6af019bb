using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed partial class SendSideBandwidthEstimatorTests
{
    [Test]
    public void Constructor_Defaults_StartsAt300kbps()
    {
        var estimator = new SendSideBandwidthEstimator();
        Assert.That(estimator.TargetBitrateBps, Is.EqualTo(300_000));
        Assert.That(estimator.InStartup, Is.True);
        Assert.That(estimator.TryTakeChange(out var bps), Is.False);
        Assert.That(bps, Is.EqualTo(300_000));
    }

    [TestCase(300_000, 30_000, 200_000_000_000)]
    [TestCase(20_000, 30_000, 10_000_000)]
    [TestCase(300_000, 30_000, 200_000)]
    [TestCase(300_000, 500, 10_000_000)]
    public void Constructor_InconsistentLimits_Throws(long start, long min, long max) =>
        Assert.That(
            () => new SendSideBandwidthEstimator(new BandwidthEstimatorOptions { StartBitrateBps = start, MinBitrateBps = min, MaxBitrateBps = max }),
            Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void Constructor_GrowthBelowOne_Throws() =>
        Assert.That(() => new SendSideBandwidthEstimator(new BandwidthEstimatorOptions { GrowthPerSecond = 0.9 }), Throws.InstanceOf<ArgumentOutOfRangeException>());

    [Test]
    public void OnTransportFeedback_NotAFeedbackPacket_ReturnsFalseAndCounts()
    {
        var estimator = new SendSideBandwidthEstimator();
        Assert.That(estimator.OnTransportFeedback([0x80, 200, 0, 1, 0, 0, 0, 1], 0), Is.False);
        Assert.That((estimator.MalformedFeedbackCount, estimator.FeedbackCount), Is.EqualTo((1L, 0L)));
    }

    [Test]
    public void OnTransportFeedback_NothingSent_IgnoresEveryStatus()
    {
        var estimator = new SendSideBandwidthEstimator();
        Assert.That(estimator.OnTransportFeedback(FeedbackFactory.Build(10, [(10, 1000), (12, 2000)]), 0), Is.True);
        Assert.That(estimator.IgnoredStatusCount, Is.EqualTo(3));
    }

    [Test]
    public void OnTransportFeedback_SequenceNumbersNeverSent_AreIgnored()
    {
        var estimator = new SendSideBandwidthEstimator();
        for (ushort seq = 100; seq < 110; seq++)
        {
            estimator.OnPacketSent(seq, 1200, seq * 1000L);
        }

        estimator.OnTransportFeedback(FeedbackFactory.Build(108, [(108, 1000), (109, 2000), (110, 3000), (111, 4000)]), 200_000);
        estimator.OnTransportFeedback(FeedbackFactory.Build(40_000, [(40_000, 1000)]), 200_000);
        Assert.That(estimator.IgnoredStatusCount, Is.EqualTo(3));
    }

    [Test]
    public void OnTransportFeedback_DuplicateAndReorderedFeedback_CountsEachPacketOnce()
    {
        var estimator = new SendSideBandwidthEstimator();
        for (ushort seq = 0; seq < 100; seq++)
        {
            estimator.OnPacketSent(seq, 1200, seq * 1000L);
        }

        var first = FeedbackFactory.Build(0, Enumerable.Range(0, 50).Select(i => ((ushort)i, 20_000L + (i * 1000))));
        var second = FeedbackFactory.Build(50, Enumerable.Range(50, 50).Select(i => ((ushort)i, 20_000L + (i * 1000))));
        estimator.OnTransportFeedback(second, 150_000);
        estimator.OnTransportFeedback(first, 160_000);
        Assert.That(estimator.IgnoredStatusCount, Is.Zero);

        estimator.OnTransportFeedback(first, 170_000);
        estimator.OnTransportFeedback(second, 180_000);
        Assert.That(estimator.IgnoredStatusCount, Is.EqualTo(100));
        Assert.That(estimator.LossFraction, Is.Zero);
    }

    [Test]
    public void OnTransportFeedback_AcrossSequenceWrap_MatchesEveryPacket()
    {
        var estimator = new SendSideBandwidthEstimator();
        var received = new List<(ushort, long)>();
        for (var i = 0; i < 100; i++)
        {
            var seq = (ushort)(65_500 + i);
            estimator.OnPacketSent(seq, 1250, i * 10_000L);
            received.Add((seq, 30_000L + (i * 10_000)));
        }

        estimator.OnTransportFeedback(FeedbackFactory.Build(65_500, received), 1_100_000);
        Assert.That(estimator.IgnoredStatusCount, Is.Zero);
        Assert.That(estimator.AcknowledgedBitrateBps, Is.EqualTo(1_000_000).Within(1_000));
    }

    [Test]
    public void OnTransportFeedback_QueueGrowingOnTheBottleneck_DecreasesBelowTheBottleneckRate()
    {
        // 1 Mbit/s offered (1,250 bytes every 10 ms) into an 800 kbit/s link: each packet waits 2.5 ms longer.
        var estimator = new SendSideBandwidthEstimator(new BandwidthEstimatorOptions { StartBitrateBps = 1_000_000 });
        long busyUntil = 0;
        var pending = new List<(ushort, long)>();
        ushort baseSeq = 0;
        for (var i = 0; i < 300; i++)
        {
            var send = i * 10_000L;
            estimator.OnPacketSent((ushort)i, 1250, send);
            busyUntil = Math.Max(busyUntil, send) + 12_500;
            pending.Add(((ushort)i, busyUntil + 20_000));
            if (pending.Count == 10)
            {
                estimator.OnTransportFeedback(FeedbackFactory.Build(baseSeq, pending), send + 40_000);
                baseSeq = (ushort)(i + 1);
                pending.Clear();
            }
        }

        Assert.That(estimator.InStartup, Is.False);
        Assert.That(estimator.TargetBitrateBps, Is.InRange(550_000, 800_000));
        Assert.That(estimator.AcknowledgedBitrateBps, Is.EqualTo(800_000).Within(40_000));
    }

    [Test]
    public void OnTransportFeedback_TwentyPercentLoss_LossBoundCutsTheTarget()
    {
        var estimator = new SendSideBandwidthEstimator(new BandwidthEstimatorOptions { StartBitrateBps = 1_000_000 });
        var pending = new List<(ushort, long)>();
        ushort baseSeq = 0;
        for (var i = 0; i < 400; i++)
        {
            var send = i * 10_000L;
            estimator.OnPacketSent((ushort)i, 1250, send);
            if (i % 5 != 0)
            {
                pending.Add(((ushort)i, send + 20_000));
            }

            if (i % 10 == 9)
            {
                estimator.OnTransportFeedback(FeedbackFactory.Build(baseSeq, pending), send + 40_000);
                baseSeq = (ushort)(i + 1);
                pending.Clear();
            }
        }

        Assert.That(estimator.LossFraction, Is.EqualTo(0.2).Within(0.01));
        Assert.That(estimator.LossBasedBoundBps, Is.LessThan(1_000_000));
        Assert.That(estimator.TargetBitrateBps, Is.EqualTo(estimator.LossBasedBoundBps));
        Assert.That(estimator.InStartup, Is.False);
    }

    [Test]
    public void OnReceiverReport_HighLossWithoutTransportFeedback_DecreasesAndTakesRtt()
    {
        var estimator = new SendSideBandwidthEstimator();
        estimator.OnReceiverReport(64, 50_000, 1_000_000); // 25 %
        Assert.That(estimator.TargetBitrateBps, Is.EqualTo(262_500));
        Assert.That(estimator.RttUs, Is.EqualTo(50_000));
        Assert.That(estimator.TryTakeChange(out var bps), Is.True);
        Assert.That(bps, Is.EqualTo(262_500));
    }

    [Test]
    public void OnReceiverReport_LossWhileTransportFeedbackFlows_IsLeftToTheFeedback()
    {
        var estimator = new SendSideBandwidthEstimator();
        estimator.OnPacketSent(1, 1200, 0);
        estimator.OnTransportFeedback(FeedbackFactory.Build(1, [(1, 20_000)]), 50_000);
        estimator.OnReceiverReport(128, null, 1_000_000);
        Assert.That(estimator.TargetBitrateBps, Is.EqualTo(300_000));
        Assert.That(estimator.RttUs, Is.EqualTo(100_000), "default until a report carries one");
    }

    [Test]
    public void OnRemb_CapsTheTargetUntilRaised()
    {
        var estimator = new SendSideBandwidthEstimator();
        estimator.OnRemb(100_000);
        Assert.That(estimator.TryTakeChange(out var capped), Is.True);
        estimator.OnRemb(5_000_000);
        Assert.That(estimator.TryTakeChange(out var raised), Is.True);
        estimator.OnRemb(0);
        Assert.That((capped, raised, estimator.TargetBitrateBps), Is.EqualTo((100_000L, 300_000L, 30_000L)));
    }

    [Test]
    public void TryTakeChange_ChangeBelowOnePercent_IsHeldUntilItAccumulates()
    {
        var estimator = new SendSideBandwidthEstimator();
        estimator.OnRemb(298_000);
        Assert.That(estimator.TryTakeChange(out _), Is.False);
        estimator.OnRemb(296_000);
        Assert.That(estimator.TryTakeChange(out var bps), Is.True);
        Assert.That(bps, Is.EqualTo(296_000));
        Assert.That(estimator.TryTakeChange(out _), Is.False);
    }
}
