using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtp;

[TestFixture]
public sealed class RtxPacketTests
{
    // V=2, marker, PT 96, seq 0x1234, ts 0x01020304, SSRC 0xAABBCCDD, payload 5 bytes.
    private static readonly byte[] s_plain = [0x80, 0xE0, 0x12, 0x34, 1, 2, 3, 4, 0xAA, 0xBB, 0xCC, 0xDD, 10, 11, 12, 13, 14];

    // One CSRC, a one-byte extension block (1 word), padding of 3; payload 2 bytes.
    private static readonly byte[] s_full =
    [
        0xB1, 0x60, 0xFF, 0xFF, 0, 0, 0, 9, 0, 0, 0, 7, 0x11, 0x22, 0x33, 0x44,
        0xBE, 0xDE, 0x00, 0x01, 0x10, 0x55, 0x00, 0x00,
        0x77, 0x88,
        0, 0, 3,
    ];

    [Test]
    public void TryWrap_PlainPacket_KeepsHeaderFieldsAndPutsTheOsnFirst()
    {
        var destination = new byte[64];

        Assert.That(RtxPacket.TryWrap(s_plain, destination, 97, 500, 0x01020304, out var written), Is.True);

        Assert.That(written, Is.EqualTo(s_plain.Length + 2));
        Assert.That(RtxPacket.GetWrappedLength(s_plain), Is.EqualTo(written));
        Assert.That(RtpHeader.TryParse(destination.AsSpan(0, written), out var header), Is.True);
        Assert.That((header.PayloadType, header.SequenceNumber, header.Ssrc, header.Timestamp, header.Marker),
            Is.EqualTo(((byte)97, (ushort)500, 0x01020304u, 0x01020304u, true)));
        Assert.That(destination.AsSpan(12, 2).ToArray(), Is.EqualTo(new byte[] { 0x12, 0x34 }), "OSN, network order");
        Assert.That(destination.AsSpan(14, 5).ToArray(), Is.EqualTo(new byte[] { 10, 11, 12, 13, 14 }));
    }

    [Test]
    public void TryWrapThenTryUnwrap_CsrcExtensionAndPadding_RestoresTheOriginalWithoutPadding()
    {
        var rtx = new byte[64];
        Assert.That(RtxPacket.TryWrap(s_full, rtx, 100, 7, 0x5555, out var rtxLength), Is.True);
        Assert.That(RtpHeader.TryParse(rtx.AsSpan(0, rtxLength), out var rtxHeader), Is.True);
        Assert.That((rtxHeader.Padding, rtxHeader.CsrcCount, rtxHeader.Extension, rtxHeader.PayloadLength), Is.EqualTo((false, 1, true, 4)));

        var restored = new byte[64];
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, rtxLength), restored, 96, 7, out var length, out var osn), Is.True);

        Assert.That(osn, Is.EqualTo(0xFFFF));
        var expected = s_full.AsSpan(0, s_full.Length - 3).ToArray();
        expected[0] &= 0xDF;
        Assert.That(restored.AsSpan(0, length).ToArray(), Is.EqualTo(expected), "the original, padding removed");
    }

    [TestCase(0)]
    [TestCase(2)]
    public void TryUnwrap_PaddingProbeWithoutOriginalPayload_ReturnsFalse(int payloadBytes)
    {
        var probe = new byte[12 + payloadBytes + 4];
        probe[0] = 0xA0; // padding
        probe[1] = 97;
        probe[^1] = 4;
        Assert.That(RtxPacket.TryUnwrap(probe, new byte[64], 96, 1, out _, out _), Is.False);
    }

    [Test]
    public void TryWrapAndTryUnwrap_DestinationTooSmallOrNotRtp_ReturnFalse()
    {
        Assert.That(RtxPacket.TryWrap(s_plain, new byte[s_plain.Length + 1], 97, 1, 1, out _), Is.False);
        Assert.That(RtxPacket.TryWrap(s_plain.AsSpan(0, 11), new byte[64], 97, 1, 1, out _), Is.False);
        Assert.That(RtxPacket.GetWrappedLength([0x40, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Is.EqualTo(-1));
        var rtx = new byte[64];
        RtxPacket.TryWrap(s_plain, rtx, 97, 1, 1, out var written);
        Assert.That(RtxPacket.TryUnwrap(rtx.AsSpan(0, written), new byte[written - 3], 96, 1, out _, out _), Is.False);
    }

    [Test]
    public void TryUnwrap_SeededMutations_NeverThrowAndNeverWriteBeyondTheResultLength()
    {
        var random = new Random(4588);
        var rtx = new byte[64];
        RtxPacket.TryWrap(s_full, rtx, 100, 7, 0x5555, out var rtxLength);
        var seeds = new[] { rtx.AsSpan(0, rtxLength).ToArray(), s_plain, s_full };
        var destination = new byte[80];
        var unwrapped = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var mutated = RtpMutationTests.Mutate(seeds[random.Next(seeds.Length)], random);
            destination.AsSpan().Fill(0xEE);
            if (RtxPacket.TryUnwrap(mutated, destination, 96, 1, out var length, out _))
            {
                unwrapped++;
                Assert.That(length, Is.LessThanOrEqualTo(mutated.Length - 2));
                Assert.That(destination.AsSpan(length).IndexOfAnyExcept((byte)0xEE), Is.EqualTo(-1));
                Assert.That(RtpHeader.TryParse(destination.AsSpan(0, length), out var header), Is.True);
                Assert.That(BinaryPrimitives.ReadUInt32BigEndian(destination.AsSpan(8)), Is.EqualTo(1u));
                Assert.That(header.PayloadType, Is.EqualTo(96));
            }

            _ = RtxPacket.TryWrap(mutated, destination, 97, 1, 2, out _);
        }

        Assert.That(unwrapped, Is.GreaterThan(1000));
    }
}
