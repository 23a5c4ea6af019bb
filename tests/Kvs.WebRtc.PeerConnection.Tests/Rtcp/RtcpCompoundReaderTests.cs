using Kvs.WebRtc.PeerConnection.Rtcp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtcp;

[TestFixture]
public sealed class RtcpCompoundReaderTests
{
    [Test]
    public void TryReadNext_CapturedCompound_ReadsEveryPacketAndTypedParsersAgree()
    {
        var reader = new RtcpCompoundReader(RtcpSamples.Compound);
        var types = new List<byte>();
        var offsets = new List<int>();
        while (reader.TryReadNext(out var header, out var packet))
        {
            types.Add(header.PacketType);
            offsets.Add(reader.Offset - packet.Length);
            switch ((RtcpPacketType)header.PacketType)
            {
                case RtcpPacketType.ReceiverReport:
                    Assert.That(RtcpReceiverReport.TryParse(packet, out var rr), Is.True);
                    Assert.That(rr.Ssrc, Is.EqualTo(0x902f9e2eu));
                    Assert.That(rr.ReportCount, Is.EqualTo(1));
                    Assert.That(rr.GetReportBlock(0), Is.EqualTo(new RtcpReportBlock(0xbc5e9a40, 0, 0, 0x46e1, 273, 0x9f36432, 150137)));
                    break;
                case RtcpPacketType.SourceDescription:
                    Assert.That(RtcpSourceDescription.TryParse(packet, out var sdes), Is.True);
                    Assert.That(sdes.TryGetCname(out var ssrc, out var cname), Is.True);
                    Assert.That(ssrc, Is.EqualTo(0x902f9e2eu));
                    Assert.That(System.Text.Encoding.ASCII.GetString(cname), Is.EqualTo("{9c00eb92-1afb-9d49-a47d-91f64eee69f5}"));
                    break;
                case RtcpPacketType.Bye:
                    Assert.That(RtcpBye.TryParse(packet, out var bye), Is.True);
                    Assert.That(bye.SourceCount, Is.EqualTo(1));
                    Assert.That(bye.GetSource(0), Is.EqualTo(0x902f9e2eu));
                    Assert.That(bye.Reason.IsEmpty, Is.True);
                    break;
                case RtcpPacketType.PayloadSpecificFeedback:
                    Assert.That(RtcpPictureLossIndication.TryParse(packet, out var pli), Is.True);
                    Assert.That(pli, Is.EqualTo(new RtcpPictureLossIndication(0x902f9e2e, 0x902f9e2e)));
                    break;
                case RtcpPacketType.TransportFeedback:
                    Assert.That(header.Format, Is.EqualTo(5));
                    Assert.That(RtcpGenericNack.TryParse(packet, out _), Is.False, "FMT 5 is not a NACK");
                    break;
            }
        }

        Assert.That(reader.IsMalformed, Is.False);
        Assert.That(types, Is.EqualTo(new byte[] { 201, 202, 203, 206, 205, 204 }));
        Assert.That(offsets, Is.EqualTo(new[] { 0, 32, 84, 92, 104, 116 }));
    }

    [Test]
    public void TryReadNext_TruncatedCompound_StopsMalformedAfterWholePackets()
    {
        var reader = new RtcpCompoundReader(RtcpSamples.Compound.AsSpan(0, 34));
        Assert.That(reader.TryReadNext(out _, out _), Is.True);
        Assert.That(reader.TryReadNext(out _, out _), Is.False);
        Assert.That(reader.IsMalformed, Is.True);
    }

    [TestCase(new byte[] { }, TestName = "TryReadNext_Empty_IsMalformed")]
    [TestCase(new byte[] { 0x81, 0xc9 }, TestName = "TryReadNext_ShortHeader_IsMalformed")]
    [TestCase(new byte[] { 0x81, 0xc9, 0x00, 0x64 }, TestName = "TryReadNext_LengthPastEnd_IsMalformed")]
    [TestCase(new byte[] { 0x41, 0xc9, 0x00, 0x00 }, TestName = "TryReadNext_Version1_IsMalformed")]
    public void TryReadNext_Malformed(byte[] datagram)
    {
        var reader = new RtcpCompoundReader(datagram);
        Assert.That(reader.TryReadNext(out _, out _), Is.False);
        Assert.That(reader.IsMalformed, Is.True);
    }

    [Test]
    public void TryReadNext_ReducedSizeLonePli_Parses()
    {
        var buffer = new byte[RtcpPictureLossIndication.Size];
        new RtcpPictureLossIndication(1, 2).Write(buffer);
        var reader = new RtcpCompoundReader(buffer);
        Assert.That(reader.TryReadNext(out var header, out var packet), Is.True);
        Assert.That((header.PacketType, header.Format), Is.EqualTo(((byte)206, 1)));
        Assert.That(RtcpPictureLossIndication.TryParse(packet, out var pli) && pli.MediaSsrc == 2, Is.True);
        Assert.That(reader.TryReadNext(out _, out _), Is.False);
        Assert.That(reader.IsMalformed, Is.False);
    }

    [Test]
    public void TryReadNext_AllocationFree()
    {
        var datagram = RtcpSamples.Compound;
        var sum = 0;
        for (var i = 0; i < 100; i++)
        {
            sum += Walk(datagram);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            sum += Walk(datagram);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(sum, Is.GreaterThan(0));

        static int Walk(byte[] datagram)
        {
            var n = 0;
            var reader = new RtcpCompoundReader(datagram);
            while (reader.TryReadNext(out var header, out var packet))
            {
                n += header.PacketType;
                if (RtcpReceiverReport.TryParse(packet, out var rr))
                {
                    n += (int)rr.GetReportBlock(0).Jitter;
                }
                else if (RtcpSourceDescription.TryParse(packet, out var sdes) && sdes.TryGetCname(out _, out var cname))
                {
                    n += cname.Length;
                }
            }

            return n;
        }
    }
}
