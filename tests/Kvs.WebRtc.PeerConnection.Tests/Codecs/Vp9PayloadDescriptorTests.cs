using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class Vp9PayloadDescriptorTests
{
    [Test]
    public void TryParse_NonFlexibleWithLayersAndScalabilityStructure_SkipsItAll()
    {
        byte[] payload =
        [
            0xAA, // I L B V: I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0
            0x81, 0x02, // M=1 picture id 0x0102
            0x22, 0x05, // TID 1, U 0, SID 1, D 0; TL0PICIDX 5
            0x38, // SS: N_S=1 (2 layers), Y=1, G=1
            0x01, 0x40, 0x00, 0xB4, 0x02, 0x80, 0x01, 0x68, // 320x180, 640x360
            0x02, // N_G = 2
            0x04, 0x01, // TID 0 U 0 R 1, P_DIFF 1
            0x08, 0x01, 0x02, // R 2, two P_DIFFs
            0xDE, // frame data
        ];
        Assert.That(Vp9PayloadDescriptor.TryParse(payload, out var descriptor), Is.True);
        Assert.That(descriptor.Length, Is.EqualTo(payload.Length - 1));
        Assert.That(descriptor.PictureId, Is.EqualTo(0x0102));
        Assert.That(descriptor.SpatialLayerId, Is.EqualTo(1));
        Assert.That(descriptor.StartOfFrame, Is.True);
        Assert.That(descriptor.HasScalabilityStructure, Is.True);
    }

    [Test]
    public void TryParse_FlexibleWithReferences_ReadsUpToThreePDiffs()
    {
        byte[] payload = [0xD8, 0x05, 0x03, 0x05, 0x06, 0xEE]; // I P F B, 7-bit picture id, P_DIFFs with N set twice
        Assert.That(Vp9PayloadDescriptor.TryParse(payload, out var descriptor), Is.True);
        Assert.That(descriptor.Length, Is.EqualTo(5));
        Assert.That(Vp9PayloadDescriptor.TryParse([0xD8, 0x05, 0x03, 0x03, 0x03, 0x02], out _), Is.False, "a fourth reference");
    }

    [TestCase(new byte[] { 0x80 })]
    [TestCase(new byte[] { 0x80, 0x81 })]
    [TestCase(new byte[] { 0x20, 0x00 })]
    [TestCase(new byte[] { 0x02, 0x10, 0x01 })]
    [TestCase(new byte[] { 0x02, 0x08, 0x01, 0x0C })]
    public void TryParse_Truncated_False(byte[] payload)
    {
        Assert.That(Vp9PayloadDescriptor.TryParse(payload, out _), Is.False);
    }

    [Test]
    public void Payloader_KeyFrame_BEAndPFlags()
    {
        var payloader = new Vp9Payloader(initialPictureId: 0x0101);
        var packets = CodecTestData.Packetize(payloader, [0x80, 1, 2, 3, 4], 0, 6);
        Assert.That(packets.Select(p => p.Payload), Is.EqualTo(new[]
        {
            new byte[] { 0x88, 0x81, 0x01, 0x80, 1, 2 },
            new byte[] { 0x84, 0x81, 0x01, 3, 4 },
        }));
        packets = CodecTestData.Packetize(payloader, [0x84, 1], 0, 100);
        Assert.That(packets.Single().Payload, Is.EqualTo(new byte[] { 0xCC, 0x81, 0x02, 0x84, 1 }), "P set, picture id + 1");
    }

    [TestCase(new byte[] { 0x80 }, true)]
    [TestCase(new byte[] { 0x84 }, false)]
    [TestCase(new byte[] { 0x88 }, false)]
    [TestCase(new byte[] { 0xB0 }, true)]
    [TestCase(new byte[] { 0xB2 }, false)]
    [TestCase(new byte[] { 0x40 }, false)]
    public void IsKeyFrame_UncompressedHeader(byte[] frame, bool expected)
    {
        Assert.That(Vp9Payloader.IsKeyFrame(frame), Is.EqualTo(expected));
    }
}
