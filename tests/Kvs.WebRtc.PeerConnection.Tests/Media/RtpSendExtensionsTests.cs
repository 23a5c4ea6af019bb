using Kvs.WebRtc.PeerConnection.Jsep;
using Kvs.WebRtc.PeerConnection.Media;
using Kvs.WebRtc.PeerConnection.Rtp;
using Kvs.WebRtc.PeerConnection.Sdp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

/// <summary>The per-connection copy of a packetized RTP packet with mid, abs-send-time and the transport-wide sequence number (RFC 8285 one-byte form).</summary>
[TestFixture]
public sealed class RtpSendExtensionsTests
{
    // A packet as the packetizers leave it: V=2, no X, no CSRC, marker set, placeholder PT 0 and SSRC 0.
    private static readonly byte[] s_bare = [0x80, 0x80, 0x12, 0x34, 0x00, 0x01, 0xE2, 0x40, 0, 0, 0, 0, 0xAA, 0xBB, 0xCC];

    [Test]
    public void Write_BarePacket_InsertsTheOneByteBlockOfRfc8285ByteForByte()
    {
        var extensions = new RtpSendExtensions(transportSequenceId: 3, absSendTimeId: 2, midId: 1, mid: "0");
        var destination = new byte[64];

        var length = extensions.Write(s_bare, destination, 96, 0xDEADBEEF, 0xABCD, TimeSpan.FromSeconds(1.5), out var used);

        byte[] expected =
        [
            0x90, 0x80 | 96, 0x12, 0x34, 0x00, 0x01, 0xE2, 0x40, 0xDE, 0xAD, 0xBE, 0xEF, // V=2, X=1; marker + PT 96; seq; timestamp; SSRC
            0xBE, 0xDE, 0x00, 0x03,                                                     // one-byte profile, 3 words follow
            0x10, (byte)'0',                                                            // id 1, L=0: mid "0"
            0x22, 0x06, 0x00, 0x00,                                                     // id 2, L=2: abs-send-time 1.5 s = 0x060000 (6.18)
            0x31, 0xAB, 0xCD,                                                           // id 3, L=1: transport-wide sequence number
            0x00, 0x00, 0x00,                                                           // padding to 32 bits
            0xAA, 0xBB, 0xCC,                                                           // payload
        ];
        Assert.That(destination.AsSpan(0, length).ToArray(), Is.EqualTo(expected));
        Assert.That(used, Is.True);
        Assert.That((extensions.BlockSize, extensions.GetWrittenLength(s_bare)), Is.EqualTo((16, s_bare.Length + 16)));
    }

    [Test]
    public void Write_ThenParse_ReadsEveryValueBack()
    {
        var extensions = new RtpSendExtensions(transportSequenceId: 5, absSendTimeId: 9, midId: 14, mid: "video-main");
        var destination = new byte[64];

        var length = extensions.Write(s_bare, destination, 111, 42, 65535, TimeSpan.FromSeconds(70.25), out _);

        Assert.That(RtpHeader.TryParse(destination.AsSpan(0, length), out var header), Is.True);
        var packet = destination.AsSpan(0, length);
        Assert.That((header.PayloadType, header.Ssrc, header.Marker, header.SequenceNumber, header.HasOneByteExtensions), Is.EqualTo(((byte)111, 42u, true, (ushort)0x1234, true)));
        Assert.That(header.GetPayload(packet).ToArray(), Is.EqualTo(new byte[] { 0xAA, 0xBB, 0xCC }));
        Assert.That(header.TryGetExtension(packet, 5, out var seq) && TransportSequenceNumberExtension.TryRead(seq, out var s) ? s : -1, Is.EqualTo(65535));
        Assert.That(header.TryGetExtension(packet, 9, out var abs) && AbsSendTimeExtension.TryRead(abs, out var a) ? AbsSendTimeExtension.FromValue(a) : TimeSpan.MinValue,
            Is.EqualTo(TimeSpan.FromSeconds(6.25)), "70.25 s modulo 64 s");
        Assert.That(header.TryGetExtension(packet, 14, out var mid) && SdesItemExtension.TryGetString(mid, out var m) ? m : null, Is.EqualTo("video-main"));
    }

    [Test]
    public void Write_PaddingBitSet_IsKept()
    {
        byte[] padded = [0xA0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0xAA, 0x00, 0x02];
        var extensions = new RtpSendExtensions(3, 0, 0, null);
        var destination = new byte[64];

        var length = extensions.Write(padded, destination, 100, 7, 9, TimeSpan.Zero, out _);

        Assert.That(RtpHeader.TryParse(destination.AsSpan(0, length), out var header), Is.True);
        Assert.That((header.Padding, header.PaddingLength, header.PayloadLength, header.Marker), Is.EqualTo((true, 2, 1, false)));
    }

    [TestCase(new byte[] { 0x90, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0xBE, 0xDE, 0, 0, 0xAA }, TestName = "Write_PacketWithItsOwnExtensionBlock_CopiedWithOnlyPtAndSsrcReplaced")]
    [TestCase(new byte[] { 0x81, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 0xAA }, TestName = "Write_PacketWithACsrc_CopiedWithOnlyPtAndSsrcReplaced")]
    public void Write_PacketThatCannotTakeTheBlock_CopiedWithOnlyPtAndSsrcReplaced(byte[] packet)
    {
        var extensions = new RtpSendExtensions(3, 2, 1, "0");
        var destination = new byte[64];

        var length = extensions.Write(packet, destination, 96, 0x01020304, 1, TimeSpan.Zero, out var used);

        var expected = packet.ToArray();
        expected[1] = 96;
        expected[8..12].AsSpan().Clear();
        byte[] ssrc = [1, 2, 3, 4];
        ssrc.CopyTo(expected, 8);
        Assert.That(destination.AsSpan(0, length).ToArray(), Is.EqualTo(expected));
        Assert.That(used, Is.False, "no transport-wide sequence number was spent");
    }

    [Test]
    public void Create_FromNegotiatedMedia_TakesIdsByUri_AndSkipsIdsTheOneByteFormCannotCarry()
    {
        var negotiated = Negotiated("1", new SdpExtMap(4, RtpExtensionUri.Mid), new SdpExtMap(15, RtpExtensionUri.AbsSendTime),
            new SdpExtMap(3, RtpExtensionUri.TransportWideCc), new SdpExtMap(5, RtpExtensionUri.AudioLevel));

        var extensions = RtpSendExtensions.Create(negotiated)!;

        Assert.That((extensions.MidId, extensions.AbsSendTimeId, extensions.TransportSequenceId), Is.EqualTo((4, 0, 3)));
        Assert.That(extensions.BlockSize, Is.EqualTo(12), "4-byte header + mid (2) + sequence (3), padded to 8");
        Assert.That(RtpSendExtensions.Create(Negotiated("1", new SdpExtMap(1, RtpExtensionUri.AudioLevel))), Is.Null, "none of ours");
    }

    [Test]
    public void Write_AfterWarmUp_AllocatesNothing()
    {
        var extensions = new RtpSendExtensions(3, 2, 1, "0");
        var destination = new byte[64];
        for (var i = 0; i < 100; i++)
        {
            extensions.Write(s_bare, destination, 96, 1, (ushort)i, TimeSpan.FromMilliseconds(i), out _);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            extensions.Write(s_bare, destination, 96, 1, (ushort)i, TimeSpan.FromMilliseconds(i), out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    private static NegotiatedMedia Negotiated(string mid, params SdpExtMap[] extensions) =>
        new(mid, "video", SdpDirection.SendOnly, [], extensions, [], new Dictionary<uint, uint>(), true);
}
