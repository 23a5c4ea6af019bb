using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class Vp8PayloadDescriptorTests
{
    [Test]
    public void TryParse_AllExtensions_ReadsEveryField()
    {
        // X=1 N=1 S=1 PID=2 | I L T K | M=1 picture id 0x1234 | TL0PICIDX 7 | TID 2, Y 1, KEYIDX 5
        byte[] payload = [0xB2, 0xF0, 0x92, 0x34, 0x07, 0xA5, 0x9D];
        Assert.That(Vp8PayloadDescriptor.TryParse(payload, out var descriptor), Is.True);
        Assert.That(descriptor, Is.EqualTo(new Vp8PayloadDescriptor(6, true, true, 2, 0x1234, 7, 2, 5)));
        Assert.That(descriptor.IsFrameStart, Is.False, "PID 2");
    }

    [TestCase(new byte[] { 0x10 }, 1, -1)]
    [TestCase(new byte[] { 0x90, 0x80, 0x05 }, 3, 5)]
    [TestCase(new byte[] { 0x90, 0x20, 0x40 }, 3, -1)]
    [TestCase(new byte[] { 0x90, 0x00 }, 2, -1)]
    public void TryParse_Forms_Length(byte[] payload, int length, int pictureId)
    {
        Assert.That(Vp8PayloadDescriptor.TryParse(payload, out var descriptor), Is.True);
        Assert.That(descriptor.Length, Is.EqualTo(length));
        Assert.That(descriptor.PictureId, Is.EqualTo(pictureId));
    }

    [TestCase(new byte[] { })]
    [TestCase(new byte[] { 0x80 })]
    [TestCase(new byte[] { 0x80, 0x80 })]
    [TestCase(new byte[] { 0x80, 0x80, 0x81 })]
    [TestCase(new byte[] { 0x80, 0x40 })]
    [TestCase(new byte[] { 0x80, 0x10 })]
    public void TryParse_Truncated_False(byte[] payload)
    {
        Assert.That(Vp8PayloadDescriptor.TryParse(payload, out _), Is.False);
    }

    [Test]
    public void Payloader_FirstPacketHasSAndPictureId_LaterPacketsDoNot()
    {
        var payloader = new Vp8Payloader(initialPictureId: 0x7FFF);
        var frame = new byte[10];
        var packets = CodecTestData.Packetize(payloader, frame, 0, 8);
        Assert.That(packets.Select(p => p.Payload.Length), Is.EqualTo(new[] { 8, 8, 6 }));
        Assert.That(packets[0].Payload.Take(4), Is.EqualTo(new byte[] { 0x90, 0x80, 0xFF, 0xFF }));
        Assert.That(packets[1].Payload.Take(4), Is.EqualTo(new byte[] { 0x80, 0x80, 0xFF, 0xFF }));
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.KeyFrame), "P bit 0");

        CodecTestData.Packetize(payloader, [0x01], 0, 100);
        Assert.That(payloader.PictureId, Is.Zero, "15-bit wrap");
        Assert.That(payloader.LastFrameFlags, Is.EqualTo(RtpPayloaderFrameFlags.None));
    }

    [Test]
    public void Payloader_WithoutPictureId_OneByteDescriptor()
    {
        var packets = CodecTestData.Packetize(new Vp8Payloader(pictureIdEnabled: false), [1, 2, 3], 0, 100);
        Assert.That(packets.Single().Payload, Is.EqualTo(new byte[] { 0x10, 1, 2, 3 }));
    }

    [Test]
    public void Depacketizer_StripsExtendedDescriptorsAndDetectsKeyFrame()
    {
        using var assembler = new RtpFrameAssembler(new Vp8Depacketizer());
        assembler.Push(1, 0, false, [0xB0, 0xF0, 0x92, 0x34, 0x07, 0xA5, 0x9C, 0x01, 0x2A]);
        assembler.Push(2, 0, true, [0x80, 0x40, 0x07, 0xAA]);
        Assert.That(assembler.TryReadFrame(out var frame), Is.True);
        Assert.That(frame.Data.ToArray(), Is.EqualTo(new byte[] { 0x9C, 0x01, 0x2A, 0xAA }));
        Assert.That(frame.IsKeyFrame, Is.True);
    }
}
