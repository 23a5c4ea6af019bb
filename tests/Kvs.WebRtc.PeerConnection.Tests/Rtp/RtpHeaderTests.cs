using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtp;

[TestFixture]
public sealed class RtpHeaderTests
{
    [Test]
    public void TryParse_ChromiumOneByteSample_ReadsFieldsAndExtensions()
    {
        var packet = ChromiumRtpSamples.OneByte;
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(header.Version, Is.EqualTo(2));
            Assert.That(header.Padding, Is.False);
            Assert.That(header.Extension, Is.True);
            Assert.That(header.Marker, Is.False);
            Assert.That(header.PayloadType, Is.EqualTo(45));
            Assert.That(header.SequenceNumber, Is.EqualTo(6751));
            Assert.That(header.Timestamp, Is.EqualTo(3557360969u));
            Assert.That(header.Ssrc, Is.EqualTo(0xf7b16e83u));
            Assert.That(header.CsrcCount, Is.Zero);
            Assert.That(header.HasOneByteExtensions, Is.True);
            Assert.That(header.HasTwoByteExtensions, Is.False);
            Assert.That(header.ExtensionOffset, Is.EqualTo(16));
            Assert.That(header.ExtensionLength, Is.EqualTo(12));
            Assert.That(header.HeaderLength, Is.EqualTo(28));
            Assert.That(header.PayloadLength, Is.Zero);
        });

        Assert.That(header.TryGetExtension(packet, 2, out var abs), Is.True);
        Assert.That(abs.ToArray(), Is.EqualTo(new byte[] { 0xf3, 0x43, 0x50 }));
        Assert.That(AbsSendTimeExtension.TryRead(abs, out var absValue) && absValue == 0xf34350, Is.True);
        Assert.That(header.TryGetExtension(packet, 4, out var twcc), Is.True);
        Assert.That(TransportSequenceNumberExtension.TryRead(twcc, out var twccSeq), Is.True);
        Assert.That(twccSeq, Is.EqualTo(0x9b));
        Assert.That(header.TryGetExtension(packet, 13, out var dd), Is.True);
        Assert.That(dd.ToArray(), Is.EqualTo(new byte[] { 0x81, 0x00, 0x45 }));
        Assert.That(header.TryGetExtension(packet, 1, out _), Is.False);
    }

    [Test]
    public void TryParse_ChromiumSampleWithMarker_FindsEveryElementInOrder()
    {
        var packet = ChromiumRtpSamples.OneByteWithMarker;
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.Marker, Is.True);
        Assert.That(header.SequenceNumber, Is.EqualTo(6612));
        var ids = new List<int>();
        var lengths = new List<int>();
        var reader = header.GetExtensions(packet);
        while (reader.TryReadNext(out var id, out var value))
        {
            ids.Add(id);
            lengths.Add(value.Length);
        }

        Assert.That(reader.IsMalformed, Is.False);
        Assert.That(ids, Is.EqualTo(new[] { 2, 4, 9, 3, 6, 7, 13 }));
        Assert.That(lengths, Is.EqualTo(new[] { 3, 2, 1, 1, 1, 13, 3 }));
    }

    [Test]
    public void TryParse_ChromiumTwoByteSample_ReadsLongElement()
    {
        var packet = ChromiumRtpSamples.TwoByte;
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.HasTwoByteExtensions, Is.True);
        Assert.That(header.ExtensionLength, Is.EqualTo(68));
        Assert.That(header.SequenceNumber, Is.EqualTo(25029));
        Assert.That(header.Ssrc, Is.EqualTo(0x8d3814e5u));
        Assert.That(header.TryGetExtension(packet, 13, out var dd), Is.True);
        Assert.That(dd.Length, Is.EqualTo(33));
        Assert.That(dd[0], Is.EqualTo(0xc0));
        Assert.That(dd[^1], Is.EqualTo(0xf0));
        Assert.That(header.TryGetExtension(packet, 7, out var seven), Is.True);
        Assert.That(seven.Length, Is.EqualTo(13));
        Assert.That(header.TryGetExtension(packet, 4, out var twcc) && TransportSequenceNumberExtension.TryRead(twcc, out var seq) && seq == 2, Is.True);
    }

    [Test]
    public void TryParse_CsrcsPaddingAndPayload_ComputesLengths()
    {
        // RFC 3550 §5.1 layout by hand: V=2 P=1 X=0 CC=2, M=1 PT=111, seq 0xfffe, ts 160, ssrc 0x11223344,
        // CSRCs 1 and 2, 3 payload bytes, 4 padding bytes (count byte 4).
        byte[] packet =
        [
            0xA2, 0xEF, 0xFF, 0xFE, 0x00, 0x00, 0x00, 0xA0, 0x11, 0x22, 0x33, 0x44,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,
            0xAA, 0xBB, 0xCC,
            0x00, 0x00, 0x00, 0x04,
        ];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(header.Padding, Is.True);
            Assert.That(header.Marker, Is.True);
            Assert.That(header.PayloadType, Is.EqualTo(111));
            Assert.That(header.CsrcCount, Is.EqualTo(2));
            Assert.That(header.GetCsrc(packet, 0), Is.EqualTo(1u));
            Assert.That(header.GetCsrc(packet, 1), Is.EqualTo(2u));
            Assert.That(header.HeaderLength, Is.EqualTo(20));
            Assert.That(header.PaddingLength, Is.EqualTo(4));
            Assert.That(header.PayloadLength, Is.EqualTo(3));
            Assert.That(header.GetPayload(packet).ToArray(), Is.EqualTo(new byte[] { 0xAA, 0xBB, 0xCC }));
            Assert.That(header.TryGetExtension(packet, 1, out _), Is.False);
        });
        Assert.That(() => header.GetCsrc(packet, 2), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [TestCase(new byte[] { 0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0 }, TestName = "TryParse_ShorterThanFixedHeader_ReturnsFalse")]
    [TestCase(new byte[] { 0x40, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 }, TestName = "TryParse_Version1_ReturnsFalse")]
    [TestCase(new byte[] { 0x81, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0 }, TestName = "TryParse_TruncatedCsrc_ReturnsFalse")]
    [TestCase(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE }, TestName = "TryParse_TruncatedExtensionHeader_ReturnsFalse")]
    [TestCase(new byte[] { 0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 0x10, 0xAA, 0, 0 }, TestName = "TryParse_ExtensionLengthPastEnd_ReturnsFalse")]
    [TestCase(new byte[] { 0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA, 0x00 }, TestName = "TryParse_PaddingCountZero_ReturnsFalse")]
    [TestCase(new byte[] { 0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xAA, 0x03 }, TestName = "TryParse_PaddingLongerThanPayload_ReturnsFalse")]
    public void TryParse_Malformed(byte[] packet)
    {
        Assert.That(RtpHeader.TryParse(packet, out _), Is.False);
    }

    [Test]
    public void TryParse_PaddingCoveringWholePayload_IsAccepted()
    {
        byte[] packet = [0xA0, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x00, 0x02];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.PayloadLength, Is.Zero);
        Assert.That(header.PaddingLength, Is.EqualTo(2));
    }

    [Test]
    public void TryGetExtension_OneByteElementRunsPastBlock_ReturnsFalseAndReaderIsMalformed()
    {
        // id 1 claims 4 bytes but only 3 follow in the 4-byte block.
        byte[] packet = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 1, 0x13, 1, 2, 3];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.TryGetExtension(packet, 1, out _), Is.False);
        var reader = header.GetExtensions(packet);
        Assert.That(reader.TryReadNext(out _, out _), Is.False);
        Assert.That(reader.IsMalformed, Is.True);
    }

    [Test]
    public void TryGetExtension_OneByteId15_StopsTheWalk()
    {
        // id 1 (1 byte), then id 15 (stop), then what would be id 2.
        byte[] packet = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 0x10, 0x11, 0xF0, 0x20, 0x22, 0, 0, 0];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.TryGetExtension(packet, 1, out var one) && one[0] == 0x11, Is.True);
        Assert.That(header.TryGetExtension(packet, 2, out _), Is.False);
    }

    [Test]
    public void TryGetExtension_PaddingBetweenElements_IsSkipped()
    {
        // RFC 8285 §4.2: zero bytes may sit between elements. id 1 len 1, two pad bytes, id 3 len 2.
        byte[] packet = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xBE, 0xDE, 0, 2, 0x10, 0x11, 0, 0, 0x31, 0xAB, 0xCD, 0];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.TryGetExtension(packet, 3, out var three), Is.True);
        Assert.That(three.ToArray(), Is.EqualTo(new byte[] { 0xAB, 0xCD }));
    }

    [Test]
    public void TryGetExtension_TwoByteEmptyValueAndPadding_AreRead()
    {
        // RFC 8285 §4.3: id 5 with length 0, a pad byte, id 200 with 2 bytes.
        byte[] packet = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x10, 0x00, 0, 2, 5, 0, 0, 200, 2, 0xAB, 0xCD, 0];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.TryGetExtension(packet, 5, out var five), Is.True);
        Assert.That(five.IsEmpty, Is.True);
        Assert.That(header.TryGetExtension(packet, 200, out var big), Is.True);
        Assert.That(big.ToArray(), Is.EqualTo(new byte[] { 0xAB, 0xCD }));
    }

    [Test]
    public void TryGetExtension_UnknownProfile_ReturnsFalse()
    {
        byte[] packet = [0x90, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0x12, 0x34, 0, 1, 0x10, 0x11, 0, 0];
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.HasOneByteExtensions || header.HasTwoByteExtensions, Is.False);
        Assert.That(header.TryGetExtension(packet, 1, out _), Is.False);
    }

    [Test]
    public void Parse_AllocationFree_TryParseAndTryGetExtension()
    {
        var packet = ChromiumRtpSamples.OneByteWithMarker;
        var sum = 0;
        for (var i = 0; i < 100; i++)
        {
            sum += Exercise(packet);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            sum += Exercise(packet);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(allocated, Is.Zero);
        Assert.That(sum, Is.GreaterThan(0));

        static int Exercise(byte[] packet)
        {
            if (!RtpHeader.TryParse(packet, out var header))
            {
                return 0;
            }

            return header.TryGetExtension(packet, 13, out var value) ? value.Length + header.PayloadType : 0;
        }
    }

    [Test]
    public void GetPayload_AfterParse_SliceStartsAtHeaderLength()
    {
        var packet = new byte[40];
        var extensions = new RtpHeaderExtensions();
        extensions.Add(1, "0"u8);
        var n = RtpHeaderWriter.Write(packet, false, 96, 1, 2, 3, [], extensions);
        packet.AsSpan(n).Fill(0x5A);
        Assert.That(RtpHeader.TryParse(packet, out var header), Is.True);
        Assert.That(header.HeaderLength, Is.EqualTo(n));
        var payload = header.GetPayload(packet).ToArray();
        Assert.That(payload, Has.Length.EqualTo(40 - n));
        Assert.That(payload, Is.All.EqualTo(0x5A));
        Assert.That(BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(12)), Is.EqualTo(0xBEDE));
    }
}
