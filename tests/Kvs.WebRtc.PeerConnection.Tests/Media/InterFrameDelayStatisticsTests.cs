using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>The W3C inter-frame and freeze counters: a freeze is an inter-frame delay over max(3 × avg, avg + 150 ms).</summary>
[TestFixture]
public sealed class InterFrameDelayStatisticsTests
{
    [Test]
    public void OnFrame_Steady30Fps_NoFreeze_TotalsAddUp()
    {
        var stats = new InterFrameDelayStatistics();
        for (var i = 0; i < 91; i++)
        {
            stats.OnFrame(TimeSpan.FromMilliseconds(1000 + (i * 33)));
        }

        Assert.That(stats.Frames, Is.EqualTo(91));
        Assert.That(stats.FreezeCount, Is.Zero);
        Assert.That(stats.TotalFreezesDuration, Is.Zero);
        Assert.That(stats.TotalInterFrameDelay, Is.EqualTo(90 * 0.033).Within(1e-9));
        Assert.That(stats.TotalSquaredInterFrameDelay, Is.EqualTo(90 * 0.033 * 0.033).Within(1e-9));
        Assert.That(stats.MaxInterFrameDelay, Is.EqualTo(TimeSpan.FromMilliseconds(33)));
    }

    [TestCase(180, 0)] // under 33 + 150 ms
    [TestCase(184, 1)] // over avg + 150 ms (3 × 33 = 99 is lower)
    [TestCase(400, 1)]
    public void OnFrame_OneLongGap_FreezeWhenOverTheThreshold(int gapMs, int freezes)
    {
        var stats = new InterFrameDelayStatistics();
        var now = TimeSpan.Zero;
        for (var i = 0; i < 31; i++)
        {
            now += TimeSpan.FromMilliseconds(33);
            stats.OnFrame(now);
        }

        now += TimeSpan.FromMilliseconds(gapMs);
        stats.OnFrame(now);

        Assert.That(stats.FreezeCount, Is.EqualTo(freezes));
        Assert.That(stats.TotalFreezesDuration, Is.EqualTo(freezes * gapMs / 1000.0).Within(1e-9));
    }

    [Test]
    public void OnFrame_SlowStream_ThreeTimesTheAverageDecides()
    {
        var stats = new InterFrameDelayStatistics();
        var now = TimeSpan.Zero;
        for (var i = 0; i < 31; i++)
        {
            now += TimeSpan.FromMilliseconds(200); // 5 fps
            stats.OnFrame(now);
        }

        stats.OnFrame(now += TimeSpan.FromMilliseconds(590));
        Assert.That(stats.FreezeCount, Is.Zero, "590 ms < 3 × 200 ms");
        stats.OnFrame(now + TimeSpan.FromMilliseconds(700));
        Assert.That(stats.FreezeCount, Is.EqualTo(1));
    }
}
