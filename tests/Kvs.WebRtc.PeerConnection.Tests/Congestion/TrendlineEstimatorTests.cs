using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class TrendlineEstimatorTests
{
    [Test]
    public void Update_ConstantDelay_TrendIsZero()
    {
        var trendline = new TrendlineEstimator();
        for (var i = 0; i < 50; i++)
        {
            trendline.Update(0, i * 5.0);
        }

        Assert.That(trendline.ModifiedTrend, Is.Zero);
        Assert.That(trendline.DeltaCount, Is.EqualTo(50));
    }

    [Test]
    public void Update_DelayGrowingOneMsPerGroup_TrendIsPositiveAndAboveInitialThreshold()
    {
        var trendline = new TrendlineEstimator();
        for (var i = 0; i < TrendlineEstimator.WindowSize - 1; i++)
        {
            Assert.That(trendline.Update(1, i * 5.0), Is.Zero, "no trend before the window is full");
        }

        var trend = 0.0;
        for (var i = TrendlineEstimator.WindowSize - 1; i < 60; i++)
        {
            trend = trendline.Update(1, i * 5.0);
        }

        // Slope ≈ 1 ms / 5 ms = 0.2, × min(60, 60) × 4 ≈ 48.
        Assert.That(trend, Is.InRange(30.0, 50.0));
    }

    [Test]
    public void Update_DelayShrinking_TrendIsNegative()
    {
        var trendline = new TrendlineEstimator();
        for (var i = 0; i < 40; i++)
        {
            trendline.Update(-0.5, i * 5.0);
        }

        Assert.That(trendline.ModifiedTrend, Is.LessThan(-5));
    }

    [Test]
    public void Update_NonFiniteInput_IsIgnored()
    {
        var trendline = new TrendlineEstimator();
        trendline.Update(double.NaN, 0);
        trendline.Update(1, double.PositiveInfinity);
        Assert.That(trendline.DeltaCount, Is.Zero);
    }

    [Test]
    public void Reset_AfterTrend_ForgetsIt()
    {
        var trendline = new TrendlineEstimator();
        for (var i = 0; i < 40; i++)
        {
            trendline.Update(1, i * 5.0);
        }

        trendline.Reset();
        Assert.That((trendline.ModifiedTrend, trendline.DeltaCount), Is.EqualTo((0.0, 0)));
    }
}
