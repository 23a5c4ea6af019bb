using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpReportTests
{
    private static readonly RtcpReportBlock s_block1 = new(0x11111111, 25, -5, 0x0001FFFF, 300, 0xAABBCCDD, 65536);
    private static readonly RtcpReportBlock s_block2 = new(0x22222222, 255, 0x7FFFFF, 7, 0, 0, 0);

    [Test]
    public void SenderReport_Rfc3550Layout_KnownBytes()
    {
        // RFC 3550 §6.4.1 by hand: RC=1, length 12 words - 1 = 12 → 0x000c.
        var buffer = new byte[RtcpSenderReport.GetSize(1)];
        var n = RtcpSenderReport.Write(buffer, 0x01020304, 0x0A0B0C0D_01020304, 0x11223344, 10, 1000, [s_block1]);
        Assert.That(n, Is.EqualTo(52));
        Assert.That(buffer[..8], Is.EqualTo(new byte[] { 0x81, 200, 0x00, 0x0c, 1, 2, 3, 4 }));
        Assert.That(buffer[8..16], Is.EqualTo(new byte[] { 0x0A, 0x0B, 0x0C, 0x0D, 1, 2, 3, 4 }));
        // Block: fraction 25, cumulative -5 as 24-bit two's complement 0xFFFFFB.
        Assert.That(buffer[32..36], Is.EqualTo(new byte[] { 25, 0xFF, 0xFF, 0xFB }));
    }

    [Test]
    public void SenderReport_WriteParse_RoundTrips()
    {
        var buffer = new byte[RtcpSenderReport.GetSize(2)];
        RtcpSenderReport.Write(buffer, 7, ulong.MaxValue - 1, 90000, 1234, 567890, [s_block1, s_block2]);
        Assert.That(RtcpSenderReport.TryParse(buffer, out var sr), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sr.Ssrc, Is.EqualTo(7u));
            Assert.That(sr.NtpTimestamp, Is.EqualTo(ulong.MaxValue - 1));
            Assert.That(sr.RtpTimestamp, Is.EqualTo(90000u));
            Assert.That(sr.PacketCount, Is.EqualTo(1234u));
            Assert.That(sr.OctetCount, Is.EqualTo(567890u));
            Assert.That(sr.ReportCount, Is.EqualTo(2));
            Assert.That(sr.GetReportBlock(0), Is.EqualTo(s_block1));
            Assert.That(sr.GetReportBlock(1), Is.EqualTo(s_block2));
            Assert.That(sr.ProfileExtension.IsEmpty, Is.True);
        }
    }

    [Test]
    public void ReceiverReport_WriteParse_RoundTripsWithAndWithoutBlocks()
    {
        var buffer = new byte[RtcpReceiverReport.GetSize(2)];
        Assert.That(RtcpReceiverReport.Write(buffer, 9, [s_block1, s_block2]), Is.EqualTo(56));
        Assert.That(RtcpReceiverReport.TryParse(buffer, out var rr), Is.True);
        Assert.That(rr.Ssrc, Is.EqualTo(9u));
        Assert.That(rr.GetReportBlock(1), Is.EqualTo(s_block2));
        Assert.That(RtcpReceiverReport.Write(buffer, 9, []), Is.EqualTo(8));
        Assert.That(RtcpReceiverReport.TryParse(buffer.AsSpan(0, 8), out var empty) && empty.ReportCount == 0, Is.True);
    }

    [Test]
    public void ReportBlock_CumulativeLost_ClampsToSigned24Bits()
    {
        var buffer = new byte[24];
        new RtcpReportBlock(1, 0, -10_000_000, 0, 0, 0, 0).Write(buffer);
        Assert.That(RtcpReportBlock.Read(buffer).CumulativeLost, Is.EqualTo(-0x800000));
        new RtcpReportBlock(1, 0, 10_000_000, 0, 0, 0, 0).Write(buffer);
        Assert.That(RtcpReportBlock.Read(buffer).CumulativeLost, Is.EqualTo(0x7FFFFF));
    }

    [Test]
    public void Reports_Truncated_AreRejected()
    {
        var buffer = new byte[RtcpSenderReport.GetSize(1)];
        RtcpSenderReport.Write(buffer, 1, 2, 3, 4, 5, [s_block1]);
        Assert.That(RtcpSenderReport.TryParse(buffer.AsSpan(0, 51), out _), Is.False);
        Assert.That(RtcpReceiverReport.TryParse(buffer, out _), Is.False, "an SR is not an RR");
        buffer[0] = 0x82; // RC 2 but room for one block
        Assert.That(RtcpSenderReport.TryParse(buffer, out _), Is.False);
        var rr = new byte[RtcpReceiverReport.GetSize(1)];
        RtcpReceiverReport.Write(rr, 1, [s_block1]);
        Assert.That(RtcpReceiverReport.TryParse(rr.AsSpan(0, 20), out _), Is.False);
    }

    [Test]
    public void NtpTime_ConversionsAndCompact()
    {
        var time = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.Zero).AddMilliseconds(500);
        var ntp = RtcpNtpTime.FromDateTimeOffset(time);
        Assert.That(ntp >> 32, Is.EqualTo((ulong)(time.ToUnixTimeSeconds() + 2_208_988_800)));
        Assert.That(ntp & 0xFFFFFFFF, Is.EqualTo(0x80000000UL));
        Assert.That(RtcpNtpTime.ToDateTimeOffset(ntp), Is.EqualTo(time));
        Assert.That(RtcpNtpTime.ToCompact(0x0000_1234_5678_0000), Is.EqualTo(0x12345678u));
        Assert.That(RtcpNtpTime.CompactToTimeSpan(0x00018000), Is.EqualTo(TimeSpan.FromSeconds(1.5)));
        Assert.That(RtcpNtpTime.TimeSpanToCompact(TimeSpan.FromSeconds(1.5)), Is.EqualTo(0x00018000u));
        Assert.That(RtcpNtpTime.TimeSpanToCompact(TimeSpan.FromDays(30)), Is.EqualTo(uint.MaxValue));
    }
}
