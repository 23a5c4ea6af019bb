using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class RtpReceiveStatisticsTests
{
    private const int ClockRate = 90000;

    [Test]
    public void TryTakeReport_TwoOfTenMissing_CountsCumulativeAndFractionLost()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        foreach (var sequence in new ushort[] { 100, 101, 102, 104, 105, 106, 108, 109 })
        {
            statistics.OnPacket(sequence, 0, 96, 1000, TimeSpan.Zero);
        }

        Assert.That(statistics.TryTakeReport(TimeSpan.Zero, out var report), Is.True);
        using (Assert.EnterMultipleScope())
        {
            // RFC 3550 A.3: expected 10, received 8, so 2 lost; fraction (2 << 8) / 10 = 51.
            Assert.That(report.CumulativeLost, Is.EqualTo(2));
            Assert.That(report.FractionLost, Is.EqualTo(51));
            Assert.That(report.ExtendedHighestSequenceNumber, Is.EqualTo(109u));
            Assert.That(statistics.Snapshot.PacketsReceived, Is.EqualTo(8));
            Assert.That(statistics.Snapshot.BytesReceived, Is.EqualTo(8000));
        }
    }

    [Test]
    public void TryTakeReport_SecondIntervalWithoutLoss_FractionIsZeroAndCumulativeStays()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        statistics.OnPacket(1, 0, 96, 10, TimeSpan.Zero);
        statistics.OnPacket(3, 0, 96, 10, TimeSpan.Zero);
        statistics.TryTakeReport(TimeSpan.Zero, out var first);
        for (ushort s = 4; s < 20; s++)
        {
            statistics.OnPacket(s, 0, 96, 10, TimeSpan.Zero);
        }

        statistics.TryTakeReport(TimeSpan.Zero, out var second);
        Assert.That(first.FractionLost, Is.EqualTo(256 / 3));
        Assert.That(second.FractionLost, Is.Zero);
        Assert.That(second.CumulativeLost, Is.EqualTo(1));
    }

    [Test]
    public void OnPacket_SequenceWraps_CountsACycle()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        for (var i = 0; i < 20; i++)
        {
            statistics.OnPacket((ushort)(65530 + i), 0, 96, 10, TimeSpan.Zero);
        }

        statistics.TryTakeReport(TimeSpan.Zero, out var report);
        Assert.That(report.ExtendedHighestSequenceNumber, Is.EqualTo(65536u + 13));
        Assert.That(report.CumulativeLost, Is.Zero);
    }

    [Test]
    public void OnPacket_Duplicates_MakeCumulativeLossNegative()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        statistics.OnPacket(10, 0, 96, 10, TimeSpan.Zero);
        statistics.OnPacket(11, 0, 96, 10, TimeSpan.Zero);
        statistics.OnPacket(11, 0, 96, 10, TimeSpan.Zero);
        statistics.OnPacket(10, 0, 96, 10, TimeSpan.Zero);
        statistics.TryTakeReport(TimeSpan.Zero, out var report);
        Assert.That(report.CumulativeLost, Is.EqualTo(-2));
        Assert.That(report.FractionLost, Is.Zero);
    }

    [Test]
    public void OnPacket_ReorderedPacket_IsNotLost()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        foreach (var sequence in new ushort[] { 1, 2, 4, 3, 5 })
        {
            statistics.OnPacket(sequence, 0, 96, 10, TimeSpan.Zero);
        }

        statistics.TryTakeReport(TimeSpan.Zero, out var report);
        Assert.That(report.CumulativeLost, Is.Zero);
        Assert.That(report.ExtendedHighestSequenceNumber, Is.EqualTo(5u));
    }

    [Test]
    public void OnPacket_LargeJump_IgnoredOnceThenRestartsWhenTheNextFollows()
    {
        // RFC 3550 A.1: a jump over MAX_DROPOUT is a bad sequence; two in a row mean the source restarted.
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        statistics.OnPacket(100, 0, 96, 10, TimeSpan.Zero);
        statistics.OnPacket(101, 0, 96, 10, TimeSpan.Zero);
        Assert.That(statistics.OnPacket(30000, 0, 96, 10, TimeSpan.Zero), Is.False);
        Assert.That(statistics.OnPacket(30001, 0, 96, 10, TimeSpan.Zero), Is.True);
        statistics.OnPacket(30002, 0, 96, 10, TimeSpan.Zero);
        statistics.TryTakeReport(TimeSpan.Zero, out var report);
        Assert.That(report.ExtendedHighestSequenceNumber, Is.EqualTo(30002u));
        Assert.That(report.CumulativeLost, Is.Zero);
    }

    [Test]
    public void Jitter_ConstantTransit_IsZero()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        for (var i = 0; i < 100; i++)
        {
            statistics.OnPacket((ushort)i, (uint)(i * 3000), 96, 10, TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / 30));
        }

        Assert.That(statistics.Snapshot.Jitter, Is.Zero);
    }

    [Test]
    public void Jitter_VaryingTransit_FollowsTheRfc3550Estimator()
    {
        // J(i) = J(i-1) + (|D(i-1,i)| - J(i-1)) / 16 (RFC 3550 §6.4.1), computed here in floating point.
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        var random = new Random(5);
        double expected = 0;
        long? previousTransit = null;
        for (var i = 0; i < 500; i++)
        {
            var rtp = (uint)(i * 3000);
            var arrivalUnits = (i * 3000L) + random.Next(0, 1800); // up to 20 ms of extra delay
            statistics.OnPacket((ushort)i, rtp, 96, 10, TimeSpan.FromTicks(arrivalUnits * TimeSpan.TicksPerSecond / ClockRate));
            var transit = RtpReceiveStatistics.ToRtpUnits(TimeSpan.FromTicks(arrivalUnits * TimeSpan.TicksPerSecond / ClockRate), ClockRate) - rtp;
            if (previousTransit is { } p)
            {
                expected += (Math.Abs(transit - p) - expected) / 16;
            }

            previousTransit = transit;
        }

        Assert.That(expected, Is.GreaterThan(100));
        Assert.That((double)statistics.Snapshot.Jitter, Is.EqualTo(expected).Within(2));
    }

    [Test]
    public void Jitter_RtpTimestampWraps_StaysSmall()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        for (var i = 0; i < 50; i++)
        {
            statistics.OnPacket((ushort)i, unchecked(uint.MaxValue - 30000 + (uint)(i * 3000)), 96, 10, TimeSpan.FromTicks(i * TimeSpan.TicksPerSecond / 30));
        }

        Assert.That(statistics.Snapshot.Jitter, Is.LessThan(2));
    }

    [Test]
    public void TryTakeReport_AfterSenderReport_EchoesMiddleNtpBitsAndDelaySinceIt()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        statistics.OnPacket(1, 0, 96, 10, TimeSpan.FromSeconds(1));
        Assert.That(statistics.TryTakeReport(TimeSpan.FromSeconds(1), out var before) && before.LastSenderReport == 0, Is.True);
        statistics.OnSenderReport(0xAABBCCDD_EEFF0011, 1234, 10, 2000, TimeSpan.FromSeconds(2), DateTimeOffset.UnixEpoch);
        statistics.TryTakeReport(TimeSpan.FromSeconds(2.5), out var report);
        Assert.That(report.LastSenderReport, Is.EqualTo(0xCCDDEEFFu));
        Assert.That(report.SinceLastSenderReport, Is.EqualTo(TimeSpan.FromSeconds(0.5)));
        Assert.That(statistics.Snapshot.LastSenderReport, Is.EqualTo(new RtpRemoteSenderReport(0xAABBCCDD_EEFF0011, 1234, 10, 2000, DateTimeOffset.UnixEpoch, 1)));
    }

    [Test]
    public void TryTakeReport_BeforeAnyPacket_IsFalse()
    {
        Assert.That(new RtpReceiveStatistics(1, ClockRate).TryTakeReport(TimeSpan.Zero, out _), Is.False);
    }

    [Test]
    public void OnPacket_SeededRandomSequences_NeverThrowAndKeepInvariants()
    {
        var random = new Random(11);
        for (var round = 0; round < 200; round++)
        {
            var statistics = new RtpReceiveStatistics((uint)round, random.Next(1, 100000));
            var sequence = (ushort)random.Next(65536);
            for (var i = 0; i < 200; i++)
            {
                sequence = random.Next(10) switch
                {
                    0 => (ushort)random.Next(65536),
                    1 => (ushort)(sequence - random.Next(200)),
                    _ => (ushort)(sequence + random.Next(1, 5)),
                };
                statistics.OnPacket(sequence, (uint)random.NextInt64(uint.MaxValue), (byte)random.Next(128), random.Next(1500), TimeSpan.FromTicks(random.NextInt64(TimeSpan.TicksPerDay)));
                if (i % 20 == 0)
                {
                    Assert.That(statistics.TryTakeReport(TimeSpan.FromDays(1), out var report), Is.True);
                    Assert.That(report.Ssrc, Is.EqualTo((uint)round));
                }
            }
        }
    }

    [Test]
    public void OnPacket_WarmedUp_AllocatesNothing()
    {
        var statistics = new RtpReceiveStatistics(1, ClockRate);
        for (var i = 0; i < 100; i++)
        {
            statistics.OnPacket((ushort)i, (uint)(i * 3000), 96, 1000, TimeSpan.FromMilliseconds(i * 33));
        }

        statistics.TryTakeReport(TimeSpan.FromSeconds(10), out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 100; i < 10_100; i++)
        {
            statistics.OnPacket((ushort)i, (uint)(i * 3000), 96, 1000, TimeSpan.FromMilliseconds(i * 33));
        }

        statistics.TryTakeReport(TimeSpan.FromSeconds(400), out _);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }
}
