using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class RtcpReportSchedulerTests
{
    private static readonly TimeSpan s_second = TimeSpan.FromSeconds(1);

    [Test]
    public void Start_FirstReport_IsHalfTheMinimumRandomized()
    {
        for (var seed = 0; seed < 200; seed++)
        {
            var scheduler = new RtcpReportScheduler(new Random(seed));
            scheduler.Start(TimeSpan.FromSeconds(10), s_second);
            Assert.That(scheduler.NextTimeout, Is.InRange(TimeSpan.FromSeconds(10.25), TimeSpan.FromSeconds(10.75)));
            Assert.That(scheduler.IsInitial, Is.True);
        }
    }

    [Test]
    public void Start_Twice_KeepsTheFirstSchedule()
    {
        var scheduler = new RtcpReportScheduler(new Random(1));
        scheduler.Start(TimeSpan.Zero, s_second);
        var first = scheduler.NextTimeout;
        scheduler.Start(TimeSpan.FromSeconds(5), s_second);
        Assert.That(scheduler.NextTimeout, Is.EqualTo(first));
    }

    [Test]
    public void OnReportSent_ManualClock_IntervalsStayWithinHalfToOneAndAHalfOfTheMinimumAndAverageIt()
    {
        var scheduler = new RtcpReportScheduler(new Random(3));
        var now = TimeSpan.Zero;
        scheduler.Start(now, s_second);
        var intervals = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            now = scheduler.NextTimeout!.Value;
            Assert.That(scheduler.IsDue(now), Is.True);
            Assert.That(scheduler.IsDue(now - TimeSpan.FromTicks(1)), Is.False);
            scheduler.OnReportSent(now, 80, members: 2, senders: 2, weSent: true, sessionBitsPerSecond: 2_000_000, s_second);
            intervals.Add((scheduler.NextTimeout!.Value - now).TotalSeconds);
        }

        Assert.That(intervals, Has.All.InRange(0.5, 1.5));
        Assert.That(intervals.Average(), Is.EqualTo(1.0).Within(0.03));
        Assert.That(intervals.Min(), Is.LessThan(0.55));
        Assert.That(intervals.Max(), Is.GreaterThan(1.45));
        Assert.That(scheduler.ReportsSent, Is.EqualTo(2000));
    }

    [Test]
    public void ComputeDeterministicInterval_LowBandwidth_FollowsRfc3550Formula()
    {
        // RFC 3550 §6.3.1: 2 members, both senders (> 25 %): n = 2, C = avg / rtcp_bw = 200 B / (1600 bit/s / 8) = 1 s, Td = 2 s.
        var td = RtcpReportScheduler.ComputeDeterministicInterval(2, 2, weSent: true, rtcpBitsPerSecond: 1600, averageRtcpSize: 200, initial: false, s_second);
        Assert.That(td.TotalSeconds, Is.EqualTo(2.0).Within(1e-6));
    }

    [Test]
    public void ComputeDeterministicInterval_FewSenders_SendersShareAQuarter()
    {
        // 8 members, 1 sender (≤ 25 %): as the sender, n = 1 and C = avg / (0.25 × rtcp_bw) = 100 / (0.25 × 100) = 4 s.
        var sender = RtcpReportScheduler.ComputeDeterministicInterval(8, 1, weSent: true, rtcpBitsPerSecond: 800, averageRtcpSize: 100, initial: false, s_second);
        // As a receiver: n = 7, C = 100 / (0.75 × 100) s.
        var receiver = RtcpReportScheduler.ComputeDeterministicInterval(8, 1, weSent: false, rtcpBitsPerSecond: 800, averageRtcpSize: 100, initial: false, s_second);
        Assert.That(sender.TotalSeconds, Is.EqualTo(4.0).Within(1e-6));
        Assert.That(receiver.TotalSeconds, Is.EqualTo(7 * 100 / 75.0).Within(1e-6));
    }

    [Test]
    public void ComputeDeterministicInterval_HighBandwidthOrUnknown_IsTheMinimum_HalvedInitially()
    {
        Assert.That(RtcpReportScheduler.ComputeDeterministicInterval(2, 1, true, 200_000, 128, false, s_second), Is.EqualTo(s_second));
        Assert.That(RtcpReportScheduler.ComputeDeterministicInterval(2, 1, true, 0, 128, false, TimeSpan.FromSeconds(5)), Is.EqualTo(TimeSpan.FromSeconds(5)));
        Assert.That(RtcpReportScheduler.ComputeDeterministicInterval(2, 1, true, 0, 128, true, TimeSpan.FromSeconds(5)), Is.EqualTo(TimeSpan.FromSeconds(2.5)));
    }

    [Test]
    public void OnReportSent_AverageSize_IsTheRfcRunningAverageWithUdpIpOverhead()
    {
        var scheduler = new RtcpReportScheduler(new Random(1));
        var before = scheduler.AverageRtcpSize;
        scheduler.OnReportSent(TimeSpan.Zero, 100, 2, 1, true, 0, s_second);
        Assert.That(scheduler.AverageRtcpSize, Is.EqualTo(before + ((128 - before) / 16)).Within(1e-9));
        Assert.That(scheduler.IsInitial, Is.False);
    }

    [Test]
    public void Stop_ClearsTheSchedule()
    {
        var scheduler = new RtcpReportScheduler(new Random(1));
        scheduler.Start(TimeSpan.Zero, s_second);
        scheduler.Stop();
        Assert.That(scheduler.NextTimeout, Is.Null);
        Assert.That(scheduler.IsDue(TimeSpan.FromDays(1)), Is.False);
    }
}
