using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class RetransmissionBudgetTests
{
    [Test]
    public void TryTake_StormAgainstASteadyStream_NeverExceedsTheShareOfWhatWasSent()
    {
        var budget = new RetransmissionBudget(0.15);
        long sent = 0;
        long resent = 0;
        var now = TimeSpan.Zero;
        for (var i = 0; i < 10_000; i++)
        {
            budget.OnMediaSent(1212, now);
            sent += 1212;
            while (budget.TryTake(1214, now))
            {
                resent += 1214;
            }

            Assert.That(resent, Is.LessThanOrEqualTo(sent * 0.15));
            now += TimeSpan.FromMilliseconds(2.5);
        }

        Assert.That(resent, Is.GreaterThan(sent * 0.14), "the share is usable, not just capped");
    }

    [Test]
    public void TryTake_AfterAQuietPeriod_DoesNotBankABurst()
    {
        var budget = new RetransmissionBudget(0.15);
        for (var i = 0; i < 400; i++)
        {
            budget.OnMediaSent(1200, TimeSpan.FromMilliseconds(i * 2.5)); // 480 kB in one second: 72 kB of budget
        }

        // Ten seconds of a trickle: the bucket shrinks to 15 % of the last second's bytes.
        for (var s = 2; s < 12; s++)
        {
            budget.OnMediaSent(1000, TimeSpan.FromSeconds(s));
        }

        var taken = 0;
        while (budget.TryTake(100, TimeSpan.FromSeconds(12)))
        {
            taken += 100;
        }

        Assert.That(taken, Is.LessThanOrEqualTo(1500), "one packet's worth at most, not the 72 kB earned long ago");
    }

    [Test]
    public void TryTake_LowBitrateStreamWithFloor_GetsTheFloorRateNotMore()
    {
        // 40 kbit/s (5 kB/s): 15 % is 750 B/s; a 12.5 kB/s floor (100 kbit/s) lets a storm take about that rate instead.
        var budget = new RetransmissionBudget(0.15, 12_500);
        var withoutFloor = new RetransmissionBudget(0.15);
        long resent = 0;
        long resentWithoutFloor = 0;
        for (var i = 0; i <= 1000; i++)
        {
            var now = TimeSpan.FromMilliseconds(i * 10); // 10 s, a 50-byte packet every 10 ms
            budget.OnMediaSent(50, now);
            withoutFloor.OnMediaSent(50, now);
            while (budget.TryTake(1200, now))
            {
                resent += 1200;
            }

            while (withoutFloor.TryTake(1200, now))
            {
                resentWithoutFloor += 1200;
            }
        }

        Assert.That(resent, Is.InRange(100_000, 12_500 * 10 + 12_500), "about the floor rate, at most one second's bucket more");
        Assert.That(resentWithoutFloor, Is.LessThanOrEqualTo(5_000 * 10 * 0.15 + 1500));
    }

    [Test]
    public void TryTake_FastStreamWithFloor_TheShareAloneApplies()
    {
        var budget = new RetransmissionBudget(0.15, 12_500);
        long sent = 0;
        long resent = 0;
        for (var i = 0; i < 4000; i++)
        {
            var now = TimeSpan.FromMilliseconds(i * 2.5); // 480 kB/s: the share (72 kB/s) is above the floor
            budget.OnMediaSent(1200, now);
            sent += 1200;
            while (budget.TryTake(1200, now))
            {
                resent += 1200;
            }
        }

        Assert.That(resent, Is.LessThanOrEqualTo(sent * 0.15 + 1200), "the floor adds nothing when the share is above it");
    }

    [Test]
    public void Constructor_ShareOutOfRange_Throws()
    {
        Assert.That(() => new RetransmissionBudget(-0.1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new RetransmissionBudget(1.5), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }
}
