using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class H264DepacketizerTests
{
    private static (RtpDepacketizeStatus Status, byte[] Output) AppendOne(H264Depacketizer depacketizer, byte[] payload)
    {
        var destination = new byte[depacketizer.GetOutputLength(payload)];
        var status = depacketizer.Append(payload, destination, out var written);
        return (status, destination.AsSpan(0, written).ToArray());
    }

    [Test]
    public void Append_PionStapA_AnnexBWithFourByteStartCodes()
    {
        var depacketizer = new H264Depacketizer();
        depacketizer.BeginFrame();
        var (status, output) = AppendOne(depacketizer, [0x78, 0x00, 0x0f, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c, 0x22, 0x11, 0xa8, 0x00, 0x05, 0x68, 0x1a, 0x34, 0xe3, 0xc8]);
        Assert.That(status, Is.EqualTo(RtpDepacketizeStatus.Ok));
        Assert.That(output, Is.EqualTo(new byte[]
        {
            0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, 0x1f, 0x1a, 0x32, 0x35, 0x01, 0x40, 0x7a, 0x40, 0x3c, 0x22, 0x11, 0xa8,
            0x00, 0x00, 0x00, 0x01, 0x68, 0x1a, 0x34, 0xe3, 0xc8,
        }));
        Assert.That(depacketizer.EndFrame(out var key), Is.True);
        Assert.That(key, Is.False, "SPS+PPS alone are no key frame");
    }

    [Test]
    public void Append_PionFuAFragments_RebuildTheNal()
    {
        var depacketizer = new H264Depacketizer();
        depacketizer.BeginFrame();
        var output = new List<byte>();
        foreach (var payload in new[]
        {
            new byte[] { 0x1c, 0x80, 0x01, 0x02, 0x03 }, [0x1c, 0x00, 0x04, 0x05, 0x06], [0x1c, 0x00, 0x07, 0x08, 0x09],
            [0x1c, 0x00, 0x10, 0x11, 0x12], [0x1c, 0x40, 0x13, 0x14, 0x15],
        })
        {
            var (status, bytes) = AppendOne(depacketizer, payload);
            Assert.That(status, Is.EqualTo(RtpDepacketizeStatus.Ok));
            output.AddRange(bytes);
        }

        Assert.That(output, Is.EqualTo(new byte[] { 0, 0, 0, 1, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15 }));
        Assert.That(depacketizer.EndFrame(out _), Is.True);
    }

    [Test]
    public void Append_FuAWithoutStart_FragmentWithoutStart()
    {
        var depacketizer = new H264Depacketizer();
        depacketizer.BeginFrame();
        Assert.That(AppendOne(depacketizer, [0x7c, 0x05, 1, 2]).Status, Is.EqualTo(RtpDepacketizeStatus.FragmentWithoutStart));
        Assert.That(depacketizer.IsFrameStart([0x7c, 0x05, 1, 2]), Is.False);
        Assert.That(depacketizer.IsFrameStart([0x7c, 0x85, 1, 2]), Is.True);
    }

    [Test]
    public void EndFrame_FuAWithoutEnd_Incomplete()
    {
        var depacketizer = new H264Depacketizer();
        depacketizer.BeginFrame();
        AppendOne(depacketizer, [0x7c, 0x85, 1, 2]);
        Assert.That(depacketizer.EndFrame(out var key), Is.False);
        Assert.That(key, Is.True);
    }

    [TestCase((byte)0x00, (int)RtpDepacketizeStatus.Skipped)]
    [TestCase((byte)0x1E, (int)RtpDepacketizeStatus.Skipped)]
    [TestCase((byte)0x1F, (int)RtpDepacketizeStatus.Skipped)]
    [TestCase((byte)0x19, (int)RtpDepacketizeStatus.Unsupported)]
    [TestCase((byte)0x1A, (int)RtpDepacketizeStatus.Unsupported)]
    [TestCase((byte)0x1B, (int)RtpDepacketizeStatus.Unsupported)]
    [TestCase((byte)0x1D, (int)RtpDepacketizeStatus.Unsupported)]
    public void Append_ReservedAndInterleavedTypes_SkippedOrUnsupported(byte header, int expected)
    {
        var depacketizer = new H264Depacketizer();
        depacketizer.BeginFrame();
        Assert.That(AppendOne(depacketizer, [header, 0x80, 1, 2]).Status, Is.EqualTo((RtpDepacketizeStatus)expected));
    }

    [Test]
    public void Assembler_StapBPacket_CountedUnsupportedAndFrameDropped()
    {
        using var assembler = new RtpFrameAssembler(new H264Depacketizer());
        assembler.Push(1, 0, true, [0x19, 0, 0, 0, 2, 0x65, 1]);
        assembler.Push(2, 3000, true, [0x65, 1, 2]);
        Assert.That(assembler.PacketsUnsupported, Is.EqualTo(1));
        Assert.That(assembler.FramesDropped, Is.EqualTo(1));
        Assert.That(assembler.TryReadFrame(out var frame), Is.True);
        Assert.That(frame.IsKeyFrame, Is.True);
        Assert.That(frame.Data.ToArray(), Is.EqualTo(new byte[] { 0, 0, 0, 1, 0x65, 1, 2 }));
    }

    [TestCase(new byte[] { 0x78 })]
    [TestCase(new byte[] { 0x78, 0x00 })]
    [TestCase(new byte[] { 0x78, 0x00, 0x05, 0x67 })]
    [TestCase(new byte[] { 0x78, 0x00, 0x00 })]
    [TestCase(new byte[] { 0x7c, 0x85 })]
    [TestCase(new byte[] { 0x7c, 0xC5, 1 })]
    public void Append_TruncatedAggregatesAndFragments_Malformed(byte[] payload)
    {
        var depacketizer = new H264Depacketizer();
        depacketizer.BeginFrame();
        Assert.That(AppendOne(depacketizer, payload).Status, Is.EqualTo(RtpDepacketizeStatus.Malformed));
    }

    [TestCase(new byte[] { 0x65, 1, 2 }, true)] // IDR slice
    [TestCase(new byte[] { 0x41, 1, 2 }, false)] // non-IDR slice
    [TestCase(new byte[] { 0x67, 1, 2 }, null)] // SPS alone: cannot tell
    [TestCase(new byte[] { 0x7C, 0x85, 1 }, true)] // FU-A start of an IDR
    [TestCase(new byte[] { 0x7C, 0x05, 1 }, true)] // FU-A middle of an IDR
    [TestCase(new byte[] { 0x7C, 0x41, 1 }, false)] // FU-A end of a non-IDR slice
    [TestCase(new byte[] { 0x78, 0, 2, 0x67, 1, 0, 2, 0x68, 1, 0, 2, 0x65, 1 }, true)] // STAP-A SPS, PPS, IDR
    [TestCase(new byte[] { 0x78, 0, 2, 0x06, 1, 0, 2, 0x41, 1 }, false)] // STAP-A SEI, slice
    [TestCase(new byte[] { 0x78, 0, 9, 0x65 }, null)] // STAP-A with a unit past the end
    [TestCase(new byte[] { }, null)]
    public void IsKeyFramePacket_ClassifiesFromOnePacket(byte[] payload, bool? expected)
    {
        Assert.That(new H264Depacketizer().IsKeyFramePacket(payload), Is.EqualTo(expected));
    }
}
