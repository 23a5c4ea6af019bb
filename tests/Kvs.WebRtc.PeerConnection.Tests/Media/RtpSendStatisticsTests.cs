using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class RtpSendStatisticsTests
{
    [Test]
    public void TryGetSenderInfo_BeforeAnySend_IsFalse()
    {
        Assert.That(new RtpSendStatistics(1, new ManualTimeProvider()).TryGetSenderInfo(TimeSpan.Zero, TimeSpan.MaxValue, out _, out _, out _), Is.False);
    }

    [Test]
    public void TryGetSenderInfo_IdleLongerThanAllowed_IsFalse()
    {
        var clock = new ManualTimeProvider();
        var statistics = new RtpSendStatistics(1, clock);
        statistics.OnPacketSent(1, 100);
        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.That(statistics.TryGetSenderInfo(statistics.Now, TimeSpan.FromSeconds(2), out _, out _, out _), Is.True);
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.That(statistics.TryGetSenderInfo(statistics.Now, TimeSpan.FromSeconds(2), out _, out _, out _), Is.False);
    }

    [Test]
    public void TryGetSenderInfo_LaterThanTheLastFrame_AdvancesTheRtpTimestampOnTheTrackClock()
    {
        var clock = new ManualTimeProvider();
        var statistics = new RtpSendStatistics(7, clock);
        statistics.Bind(96, 90000);
        statistics.OnFrameSent(uint.MaxValue - 1000, packets: 3, payloadBytes: 3000, isKeyFrame: true);
        var sentAt = statistics.Now;
        clock.Advance(TimeSpan.FromMilliseconds(250));
        statistics.OnPliReceived();

        Assert.That(statistics.TryGetSenderInfo(statistics.Now, TimeSpan.MaxValue, out var rtp, out var packets, out var octets), Is.True);
        using (Assert.EnterMultipleScope())
        {
            // 250 ms at 90 kHz is 22,500 ticks, across the 32-bit wrap.
            Assert.That(rtp, Is.EqualTo(unchecked(uint.MaxValue - 1000 + 22_500u)));
            Assert.That(packets, Is.EqualTo(3u));
            Assert.That(octets, Is.EqualTo(3000u));
            Assert.That(statistics.Now - sentAt, Is.EqualTo(TimeSpan.FromMilliseconds(250)));
            Assert.That(statistics.Snapshot.KeyFramesSent, Is.EqualTo(1));
            Assert.That(statistics.Snapshot.PliCount, Is.EqualTo(1));
        }
    }

    [Test]
    public void TryGetSenderInfo_AudioClock_UsesTheBoundClockRate()
    {
        var clock = new ManualTimeProvider();
        var statistics = new RtpSendStatistics(7, clock);
        statistics.Bind(111, 48000);
        statistics.OnPacketSent(1000, 160);
        clock.Advance(TimeSpan.FromMilliseconds(20));
        statistics.TryGetSenderInfo(statistics.Now, TimeSpan.MaxValue, out var rtp, out _, out _);
        Assert.That(rtp, Is.EqualTo(1960u));
    }

    [Test]
    public void OnReportBlock_Measurements_KeepLatestAndTotals()
    {
        var statistics = new RtpSendStatistics(7, new ManualTimeProvider());
        statistics.OnReportBlock(10, 3, 500, 90, DateTimeOffset.UnixEpoch, TimeSpan.FromMilliseconds(40));
        statistics.OnReportBlock(0, 3, 600, 45, DateTimeOffset.UnixEpoch.AddSeconds(1), null);
        statistics.OnReportBlock(0, 4, 700, 30, DateTimeOffset.UnixEpoch.AddSeconds(2), TimeSpan.FromMilliseconds(60));
        var snapshot = statistics.Snapshot;
        Assert.That(snapshot.RoundTripTime, Is.EqualTo(TimeSpan.FromMilliseconds(60)));
        Assert.That(snapshot.TotalRoundTripTime, Is.EqualTo(TimeSpan.FromMilliseconds(100)));
        Assert.That(snapshot.RoundTripTimeMeasurements, Is.EqualTo(2));
        Assert.That(snapshot.Remote, Is.EqualTo(new RtpRemoteReceiverReport(0, 4, 700, 30, DateTimeOffset.UnixEpoch.AddSeconds(2), 3)));
    }
}
