using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class OveruseDetectorTests
{
    [Test]
    public void Detect_TrendAboveThresholdForMoreThan10Ms_SignalsOveruseOnTheThirdUpdate()
    {
        var detector = new OveruseDetector();
        // 5 ms groups: over-use time 2.5, 7.5, 12.5 ms.
        Assert.That(detector.Detect(40, 5, 10, 0), Is.EqualTo(BandwidthUsage.Normal));
        Assert.That(detector.Detect(41, 5, 10, 5), Is.EqualTo(BandwidthUsage.Normal));
        Assert.That(detector.Detect(42, 5, 10, 10), Is.EqualTo(BandwidthUsage.Overusing));
    }

    [Test]
    public void Detect_FallingTrendAboveThreshold_DoesNotSignalOveruse()
    {
        var detector = new OveruseDetector();
        detector.Detect(40, 5, 10, 0);
        detector.Detect(35, 5, 10, 5);
        Assert.That(detector.Detect(30, 5, 10, 10), Is.EqualTo(BandwidthUsage.Normal));
    }

    [Test]
    public void Detect_TrendBelowMinusThreshold_SignalsUnderuse()
    {
        var detector = new OveruseDetector();
        Assert.That(detector.Detect(-20, 5, 10, 0), Is.EqualTo(BandwidthUsage.Underusing));
        Assert.That(detector.Detect(0, 5, 10, 5), Is.EqualTo(BandwidthUsage.Normal));
    }

    [Test]
    public void Detect_FewerThanTwoDeltas_StaysNormal()
    {
        var detector = new OveruseDetector();
        Assert.That(detector.Detect(1000, 50, 1, 0), Is.EqualTo(BandwidthUsage.Normal));
    }

    [Test]
    public void Detect_SteadyModerateTrend_ThresholdAdaptsUpwards()
    {
        var detector = new OveruseDetector();
        for (var i = 0; i < 400; i++)
        {
            detector.Detect(i % 2 == 0 ? 20 : -20, 5, 30, i * 5.0);
        }

        Assert.That(detector.ThresholdMs, Is.InRange(19.0, 20.0));
    }

    [Test]
    public void Detect_QuietTrend_ThresholdShrinksToMinimum()
    {
        var detector = new OveruseDetector();
        for (var i = 0; i < 200; i++)
        {
            detector.Detect(0, 5, 30, i * 5.0);
        }

        Assert.That(detector.ThresholdMs, Is.EqualTo(6.0));
    }

    [Test]
    public void Detect_OutlierFarAboveThreshold_DoesNotMoveThreshold()
    {
        var detector = new OveruseDetector();
        detector.Detect(0, 5, 30, 0);
        var before = detector.ThresholdMs;
        detector.Detect(500, 5, 30, 5);
        Assert.That(detector.ThresholdMs, Is.EqualTo(before));
    }
}
