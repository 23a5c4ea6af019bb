using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class PacerTests
{
    [Test]
    public void Constructor_Target2M_PacesAt5M()
    {
        var pacer = new Pacer<int>(2_000_000);
        Assert.That(pacer.PacingRateBps, Is.EqualTo(5_000_000));
        pacer.SetTargetBitrate(400_000);
        Assert.That(pacer.PacingRateBps, Is.EqualTo(1_000_000));
    }

    [Test]
    public void TryDequeue_KeyFrameOf100Packets_LeavesSpreadAtThePacingRate()
    {
        var pacer = new Pacer<int>(2_000_000); // 5 Mbit/s pacing, 5 ms burst = 3,125 bytes
        for (var i = 0; i < 100; i++)
        {
            Assert.That(pacer.Enqueue(i, 1200, isAudio: false, 0), Is.True);
        }

        var sends = Drain(pacer, 0);

        Assert.That(sends.Select(s => s.Id), Is.EqualTo(Enumerable.Range(0, 100)));
        Assert.That(sends.Count(s => s.TimeUs == 0), Is.EqualTo(3), "only the burst budget leaves at once");
        var lastUs = sends[^1].TimeUs;
        TestContext.Out.WriteLine($"100 × 1,200 bytes left over {lastUs / 1000.0:F1} ms");
        Assert.That(lastUs, Is.InRange(180_000, 195_000), "(120,000 − 3,125 bytes) at 5 Mbit/s ≈ 187 ms");
        for (var i = 0; i < sends.Count; i++)
        {
            var windowBytes = sends.Skip(i).TakeWhile(s => s.TimeUs < sends[i].TimeUs + 20_000).Count() * 1200;
            Assert.That(windowBytes, Is.LessThanOrEqualTo(12_500 + 3_125 + 1_200), "no 20 ms window above the rate + burst");
        }
    }

    [Test]
    public void TryDequeue_AudioQueuedBehindVideo_LeavesFirstEvenWithoutBudget()
    {
        var pacer = new Pacer<int>(300_000);
        for (var i = 0; i < 10; i++)
        {
            pacer.Enqueue(i, 1200, isAudio: false, 0);
        }

        Assert.That(pacer.TryDequeue(0, out var first, out _), Is.True);
        while (pacer.TryDequeue(0, out _, out _))
        {
        }

        Assert.That(pacer.TimeUntilNextSendUs(0), Is.GreaterThan(0), "budget spent");
        pacer.Enqueue(100, 160, isAudio: true, 0);
        Assert.That(pacer.TimeUntilNextSendUs(0), Is.Zero);
        Assert.That(pacer.TryDequeue(0, out var audio, out var size), Is.True);
        Assert.That((first, audio, size), Is.EqualTo((0, 100, 160)));
        Assert.That(pacer.TimeUntilNextSendUs(0), Is.GreaterThan(0), "audio spent budget too");
    }

    [Test]
    public void Enqueue_MoreThanTwoSecondsAtThePacingRate_DropsOldestVideo()
    {
        var pacer = new Pacer<int>(300_000); // 750 kbit/s: 2 s = 187,500 bytes = 156 packets
        for (var i = 0; i < 1000; i++)
        {
            pacer.Enqueue(i, 1200, isAudio: false, 0);
        }

        Assert.That(pacer.QueuedPackets, Is.EqualTo(156));
        Assert.That(pacer.DroppedPackets, Is.EqualTo(844));
        Assert.That(pacer.ExpectedQueueTimeUs, Is.LessThanOrEqualTo(2_000_000));
        var dropped = new List<int>();
        while (pacer.TryTakeDropped(out var id))
        {
            dropped.Add(id);
        }

        Assert.That(dropped, Is.EqualTo(Enumerable.Range(844 - 256, 256)), "the latest 256 drops, oldest first");
        Assert.That(pacer.TryDequeue(0, out var next, out _), Is.True);
        Assert.That(next, Is.EqualTo(844));
    }

    [Test]
    public void Enqueue_VideoQueueFull_DropsOldest()
    {
        var pacer = new Pacer<int>(1_000_000, new PacerOptions { MaxVideoPackets = 4 });
        for (var i = 0; i < 6; i++)
        {
            pacer.Enqueue(i, 100, isAudio: false, 0);
        }

        Assert.That((pacer.QueuedPackets, pacer.DroppedPackets, pacer.QueuedBytes), Is.EqualTo((4, 2L, 400L)));
        Assert.That(pacer.TryDequeue(0, out var next, out _), Is.True);
        Assert.That(next, Is.EqualTo(2));
    }

    [Test]
    public void Enqueue_AudioQueueFull_RefusesAndCounts()
    {
        var pacer = new Pacer<int>(1_000_000, new PacerOptions { MaxAudioPackets = 2 });
        Assert.That(pacer.Enqueue(1, 100, isAudio: true, 0), Is.True);
        Assert.That(pacer.Enqueue(2, 100, isAudio: true, 0), Is.True);
        Assert.That(pacer.Enqueue(3, 100, isAudio: true, 0), Is.False);
        Assert.That(pacer.RejectedPackets, Is.EqualTo(1));
    }

    [Test]
    public void TimeUntilNextSendUs_Empty_IsMinusOne()
    {
        var pacer = new Pacer<int>(1_000_000);
        Assert.That(pacer.TimeUntilNextSendUs(0), Is.EqualTo(-1));
        Assert.That(pacer.TryDequeue(0, out _, out _), Is.False);
        Assert.That(pacer.OldestQueuedAgeUs(5), Is.Zero);
    }

    [Test]
    public void OldestQueuedAgeUs_ReportsTheWaitOfTheHeadPacket()
    {
        var pacer = new Pacer<int>(1_000_000);
        pacer.Enqueue(1, 100, isAudio: false, 1_000);
        pacer.Enqueue(2, 100, isAudio: true, 3_000);
        Assert.That(pacer.OldestQueuedAgeUs(11_000), Is.EqualTo(10_000));
    }

    [Test]
    public void TryDequeue_AfterIdle_BudgetDoesNotAccumulateBeyondTheBurst()
    {
        var pacer = new Pacer<int>(2_000_000);
        pacer.TryDequeue(0, out _, out _);
        for (var i = 0; i < 20; i++)
        {
            pacer.Enqueue(i, 1200, isAudio: false, 10_000_000);
        }

        var sends = Drain(pacer, 10_000_000);
        Assert.That(sends.Count(s => s.TimeUs == 10_000_000), Is.EqualTo(3));
    }

    [Test]
    public void EnqueueAndTryDequeue_SteadyState_AllocateNothing()
    {
        var pacer = new Pacer<int>(5_000_000);
        long now = 0;
        void Run(int n)
        {
            for (var i = 0; i < n; i++)
            {
                pacer.Enqueue(i, 1200, isAudio: i % 10 == 0, now);
                now += 1_000;
                while (pacer.TryDequeue(now, out _, out _))
                {
                }

                pacer.TimeUntilNextSendUs(now);
            }
        }

        Run(1000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(10_000);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [TestCase(0.5, 5_000L)]
    [TestCase(2.5, -1L)]
    public void Constructor_InvalidOptions_Throw(double factor, long burstUs) =>
        Assert.That(() => new Pacer<int>(1_000_000, new PacerOptions { PacingFactor = factor, BurstUs = burstUs }), Throws.InstanceOf<ArgumentOutOfRangeException>());

    private static List<(long TimeUs, int Id)> Drain(Pacer<int> pacer, long startUs)
    {
        var sends = new List<(long, int)>();
        var now = startUs;
        for (var guard = 0; guard < 100_000; guard++)
        {
            while (pacer.TryDequeue(now, out var id, out _))
            {
                sends.Add((now, id));
            }

            var wait = pacer.TimeUntilNextSendUs(now);
            if (wait < 0)
            {
                return sends;
            }

            now += wait;
        }

        throw new InvalidOperationException("pacer did not drain");
    }
}
