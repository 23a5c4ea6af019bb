using NUnit.Framework;

namespace Kvs.WebRtc.Signaling.Tests.Signaling;

[TestFixture]
public sealed class SignalingReconnectPolicyTests
{
    [Test]
    public void GetDelay_NoJitter_DoublesFromBaseUpToTheCap()
    {
        var policy = new SignalingReconnectPolicy { JitterRatio = 0 };

        var delays = Enumerable.Range(0, 10).Select(a => policy.GetDelay(a, 0.999).TotalMilliseconds).ToArray();

        Assert.That(delays, Is.EqualTo(new double[] { 0, 100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000 }));
    }

    [Test]
    public void GetDelay_DefaultJitter_StaysWithinHalfToFullDelay()
    {
        var policy = new SignalingReconnectPolicy();

        Assert.Multiple(() =>
        {
            Assert.That(policy.GetDelay(3, 0), Is.EqualTo(TimeSpan.FromMilliseconds(400)));
            Assert.That(policy.GetDelay(3, 0.999999).TotalMilliseconds, Is.EqualTo(200).Within(0.01));
            Assert.That(policy.GetDelay(1000, 0), Is.EqualTo(TimeSpan.FromSeconds(10)));
        });
    }

    [Test]
    public void GetDelay_FirstAttempt_IsImmediate()
    {
        Assert.That(new SignalingReconnectPolicy().GetDelay(0, 0.5), Is.EqualTo(TimeSpan.Zero));
    }

    [TestCase(-1.0)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    public void Validate_JitterOutOfRange_Throws(double jitter)
    {
        Assert.That(() => new SignalingReconnectPolicy { JitterRatio = jitter }.Validate("p"), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Validate_MaxDelayBelowBase_Throws()
    {
        var policy = new SignalingReconnectPolicy { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) };

        Assert.That(() => policy.Validate("p"), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
