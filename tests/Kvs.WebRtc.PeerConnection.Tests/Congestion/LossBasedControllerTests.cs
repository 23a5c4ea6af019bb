using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class LossBasedControllerTests
{
    [Test]
    public void Update_HighLoss_BoundBecomesTargetTimesOneMinusHalfLoss()
    {
        var loss = new LossBasedController(new BandwidthEstimatorOptions());
        Assert.That(loss.BoundBps, Is.EqualTo(10_000_000));
        Assert.That(loss.Update(0.2, 2_000_000, 100_000, 0), Is.EqualTo(1_800_000));
        Assert.That(loss.LastUpdateDecreased, Is.True);
    }

    [Test]
    public void Update_HighLossAgainWithin300MsPlusRtt_DecreasesOnce()
    {
        var loss = new LossBasedController(new BandwidthEstimatorOptions());
        loss.Update(0.2, 2_000_000, 100_000, 0);
        Assert.That(loss.Update(0.2, 1_800_000, 100_000, 300_000), Is.EqualTo(1_800_000));
        Assert.That(loss.Update(0.2, 1_800_000, 100_000, 400_000), Is.EqualTo(1_620_000));
    }

    [Test]
    public void Update_ModerateLoss_Holds()
    {
        var loss = new LossBasedController(new BandwidthEstimatorOptions());
        loss.Update(0.2, 2_000_000, 100_000, 0);
        Assert.That(loss.Update(0.05, 1_800_000, 100_000, 1_000_000), Is.EqualTo(1_800_000));
        Assert.That(loss.Update(0.05, 1_800_000, 100_000, 2_000_000), Is.EqualTo(1_800_000));
    }

    [Test]
    public void Update_LowLoss_GrowsEightPercentPerSecond()
    {
        var loss = new LossBasedController(new BandwidthEstimatorOptions());
        loss.Update(0.2, 2_000_000, 100_000, 0);
        Assert.That(loss.Update(0.0, 1_800_000, 100_000, 1_000_000), Is.EqualTo((long)((1_800_000 * 1.08) + 1000)));
    }

    [Test]
    public void Update_NaNOrNegative_TreatedAsNoLoss()
    {
        var loss = new LossBasedController(new BandwidthEstimatorOptions());
        loss.Update(double.NaN, 1_000_000, 0, 0);
        loss.Update(-3, 1_000_000, 0, 1);
        Assert.That((loss.BoundBps, loss.LossFraction), Is.EqualTo((10_000_000L, 0.0)));
    }
}
