using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpFeedbackMessageTests
{
    [Test]
    public void GenericNack_Rfc4585Layout_KnownBytes()
    {
        // Lost 100, 101, 116 → PID 100, BLP bits 0 (101) and 15 (116) = 0x8001; then 117 → new item.
        var buffer = new byte[RtcpGenericNack.GetSize([100, 101, 116, 117])];
        var n = RtcpGenericNack.Write(buffer, 1, 2, [100, 101, 116, 117]);
        Assert.That(n, Is.EqualTo(20));
        Assert.That(buffer, Is.EqualTo(new byte[] { 0x81, 205, 0, 4, 0, 0, 0, 1, 0, 0, 0, 2, 0, 100, 0x80, 0x01, 0, 117, 0, 0 }));
    }

    [Test]
    public void GenericNack_WriteParse_LostSequenceNumbersRoundTripAcrossWrap()
    {
        ushort[] lost = [65530, 65531, 65535, 0, 3, 9, 40, 41, 56, 57, 1000];
        var buffer = new byte[RtcpGenericNack.GetSize(lost)];
        RtcpGenericNack.Write(buffer, 7, 8, lost);
        Assert.That(RtcpGenericNack.TryParse(buffer, out var nack), Is.True);
        Assert.That((nack.SenderSsrc, nack.MediaSsrc), Is.EqualTo((7u, 8u)));
        var read = new List<ushort>();
        foreach (var seq in nack.GetLostSequenceNumbers())
        {
            read.Add(seq);
        }

        Assert.That(read, Is.EqualTo(lost));
        Assert.That(nack.ItemCount, Is.EqualTo(RtcpGenericNack.CountItems(lost)));
    }

    [Test]
    public void GenericNack_UnsortedAndDuplicates_StillCoverEveryLostPacket()
    {
        ushort[] lost = [50, 10, 10, 11, 49];
        var buffer = new byte[RtcpGenericNack.GetSize(lost)];
        RtcpGenericNack.Write(buffer, 1, 2, lost);
        Assert.That(RtcpGenericNack.TryParse(buffer, out var nack), Is.True);
        var read = new HashSet<ushort>();
        foreach (var seq in nack.GetLostSequenceNumbers())
        {
            read.Add(seq);
        }

        Assert.That(read, Is.EquivalentTo(new ushort[] { 10, 11, 49, 50 }));
    }

    [Test]
    public void GenericNack_NoItemsOrWrongFmt_Rejected()
    {
        Assert.That(RtcpGenericNack.TryParse([0x81, 205, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2], out _), Is.False);
        Assert.That(RtcpGenericNack.TryParse([0x82, 205, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0, 0], out _), Is.False);
        Assert.That(() => RtcpGenericNack.Write(new byte[64], 1, 2, []), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void PictureLossIndication_KnownBytesAndRoundTrip()
    {
        var buffer = new byte[12];
        Assert.That(new RtcpPictureLossIndication(0x01020304, 0x05060708).Write(buffer), Is.EqualTo(12));
        Assert.That(buffer, Is.EqualTo(new byte[] { 0x81, 206, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8 }));
        Assert.That(RtcpPictureLossIndication.TryParse(buffer, out var pli), Is.True);
        Assert.That(pli, Is.EqualTo(new RtcpPictureLossIndication(0x01020304, 0x05060708)));
        Assert.That(RtcpPictureLossIndication.TryParse(buffer.AsSpan(0, 11), out _), Is.False);
        buffer[0] = 0x84;
        Assert.That(RtcpPictureLossIndication.TryParse(buffer, out _), Is.False, "FMT 4 is FIR");
    }

    [Test]
    public void FullIntraRequest_Rfc5104Layout_RoundTrips()
    {
        var buffer = new byte[RtcpFullIntraRequest.GetSize(2)];
        var n = RtcpFullIntraRequest.Write(buffer, 9, [new RtcpFirEntry(0xAABBCCDD, 3), new RtcpFirEntry(5, 255)]);
        Assert.That(n, Is.EqualTo(28));
        Assert.That(buffer[..4], Is.EqualTo(new byte[] { 0x84, 206, 0, 6 }));
        Assert.That(buffer[12..20], Is.EqualTo(new byte[] { 0xAA, 0xBB, 0xCC, 0xDD, 3, 0, 0, 0 }));
        Assert.That(RtcpFullIntraRequest.TryParse(buffer, out var fir), Is.True);
        Assert.That(fir.SenderSsrc, Is.EqualTo(9u));
        Assert.That(fir.MediaSsrc, Is.Zero);
        Assert.That(fir.EntryCount, Is.EqualTo(2));
        Assert.That(fir.GetEntry(1), Is.EqualTo(new RtcpFirEntry(5, 255)));
        Assert.That(RtcpFullIntraRequest.TryParse(buffer.AsSpan(0, 12), out _), Is.False);
    }

    [TestCase(0UL)]
    [TestCase(262_143UL)]
    [TestCase(262_144UL)]
    [TestCase(2_500_000UL)]
    [TestCase(1_000_000_000_000UL)]
    public void Remb_WriteParse_BitrateWithin18SignificantBits(ulong bitrate)
    {
        var buffer = new byte[RtcpReceiverEstimatedMaxBitrate.GetSize(2)];
        RtcpReceiverEstimatedMaxBitrate.Write(buffer, 1, bitrate, [0x10, 0x20]);
        Assert.That(RtcpReceiverEstimatedMaxBitrate.TryParse(buffer, out var remb), Is.True);
        Assert.That(remb.Bitrate, Is.LessThanOrEqualTo(bitrate));
        Assert.That((double)(bitrate - remb.Bitrate), Is.LessThanOrEqualTo(bitrate / 131072.0));
        Assert.That(remb.SsrcCount, Is.EqualTo(2));
        Assert.That(remb.GetSsrc(1), Is.EqualTo(0x20u));
    }

    [Test]
    public void Remb_KnownBytes_DraftLayout()
    {
        // Bitrate 2,500,000 = 156250 · 2^4: exp 4, mantissa 0x2625A.
        var buffer = new byte[RtcpReceiverEstimatedMaxBitrate.GetSize(1)];
        RtcpReceiverEstimatedMaxBitrate.Write(buffer, 1, 2_500_000, [0x11223344]);
        Assert.That(buffer, Is.EqualTo(new byte[]
        {
            0x8F, 206, 0, 5, 0, 0, 0, 1, 0, 0, 0, 0, (byte)'R', (byte)'E', (byte)'M', (byte)'B',
            1, (4 << 2) | 0x02, 0x62, 0x5A, 0x11, 0x22, 0x33, 0x44,
        }));
        Assert.That(RtcpReceiverEstimatedMaxBitrate.TryParse(buffer, out var remb) && remb.Bitrate == 2_500_000, Is.True);
    }

    [Test]
    public void Remb_HugeExponent_Saturates()
    {
        byte[] packet = [0x8F, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, (byte)'R', (byte)'E', (byte)'M', (byte)'B', 0, 0xFF, 0xFF, 0xFF];
        Assert.That(RtcpReceiverEstimatedMaxBitrate.TryParse(packet, out var remb), Is.True);
        Assert.That(remb.Bitrate, Is.EqualTo(ulong.MaxValue));
    }

    [Test]
    public void Remb_NotRembOrTruncatedList_Rejected()
    {
        byte[] packet = [0x8F, 206, 0, 4, 0, 0, 0, 1, 0, 0, 0, 0, (byte)'R', (byte)'E', (byte)'M', (byte)'X', 0, 0, 0, 1];
        Assert.That(RtcpReceiverEstimatedMaxBitrate.TryParse(packet, out _), Is.False);
        packet[15] = (byte)'B';
        packet[16] = 2; // two SSRCs announced, none present
        Assert.That(RtcpReceiverEstimatedMaxBitrate.TryParse(packet, out _), Is.False);
    }
}
