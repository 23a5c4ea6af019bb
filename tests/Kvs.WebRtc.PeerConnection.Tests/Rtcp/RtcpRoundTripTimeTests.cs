using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpRoundTripTimeTests
{
    [Test]
    public void Compute_Rfc3550Figure2Example_Is6Point125Seconds()
    {
        // RFC 3550 §6.4.1, Figure 2: A = 0xb710:8000, LSR = 0xb705:2000, DLSR = 0x0005:4000 → delay 0x0006:2000 = 6.125 s.
        Assert.That(RtcpRoundTripTime.Compute(0xB7108000, 0xB7052000, 0x00054000), Is.EqualTo(TimeSpan.FromSeconds(6.125)));
    }

    [Test]
    public void Compute_AcrossTheCompactWrap_IsStillCorrect()
    {
        var lsr = 0xFFFF_F000u;
        var arrival = unchecked(lsr + RtcpNtpTime.TimeSpanToCompact(TimeSpan.FromMilliseconds(150)));
        var rtt = RtcpRoundTripTime.Compute(arrival, lsr, RtcpNtpTime.TimeSpanToCompact(TimeSpan.FromMilliseconds(100)));
        Assert.That(rtt!.Value.TotalMilliseconds, Is.EqualTo(50).Within(0.05));
    }

    [Test]
    public void Compute_NoSenderReportEchoed_IsNull()
    {
        Assert.That(RtcpRoundTripTime.Compute(0x12345678, 0, 0), Is.Null);
    }

    [Test]
    public void Compute_DelayLongerThanElapsed_IsNull()
    {
        Assert.That(RtcpRoundTripTime.Compute(0x00020000, 0x00010000, 0x00020000), Is.Null);
    }

    [Test]
    public void Compute_CraftedNtpTimes_MatchesTheDelayOnTheWire()
    {
        var sentAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var lsr = RtcpNtpTime.ToCompact(RtcpNtpTime.FromDateTimeOffset(sentAt));
        var arrival = RtcpNtpTime.ToCompact(RtcpNtpTime.FromDateTimeOffset(sentAt + TimeSpan.FromMilliseconds(1083)));
        var rtt = RtcpRoundTripTime.Compute(arrival, lsr, RtcpNtpTime.TimeSpanToCompact(TimeSpan.FromMilliseconds(1000)));
        Assert.That(rtt!.Value.TotalMilliseconds, Is.EqualTo(83).Within(0.05));
    }
}
