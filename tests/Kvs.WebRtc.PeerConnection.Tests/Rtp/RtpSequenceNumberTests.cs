using Kvs.WebRtc.PeerConnection.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtp;

[TestFixture]
public sealed class RtpSequenceNumberTests
{
    [TestCase((ushort)1, (ushort)0, true)]
    [TestCase((ushort)0, (ushort)65535, true)]
    [TestCase((ushort)65535, (ushort)0, false)]
    [TestCase((ushort)5, (ushort)5, false)]
    [TestCase((ushort)32768, (ushort)0, true)]
    [TestCase((ushort)0, (ushort)32768, false)]
    public void IsNewer_WrapAware(ushort value, ushort reference, bool expected)
    {
        Assert.That(RtpSequenceNumber.IsNewer(value, reference), Is.EqualTo(expected));
    }

    [Test]
    public void Distance_AcrossWrap_IsSigned()
    {
        Assert.That(RtpSequenceNumber.Distance(65530, 4), Is.EqualTo(10));
        Assert.That(RtpSequenceNumber.Distance(4, 65530), Is.EqualTo(-10));
        Assert.That(RtpSequenceNumber.Latest(65530, 4), Is.EqualTo(4));
    }

    [Test]
    public void Unwrap_ManyWrapsWithReordering_IsMonotonicExtension()
    {
        var unwrapper = new RtpSequenceUnwrapper();
        Assert.That(unwrapper.Latest, Is.EqualTo(-1));
        Assert.That(unwrapper.Unwrap(65534), Is.EqualTo(65534));
        Assert.That(unwrapper.Unwrap(1), Is.EqualTo(65537));
        Assert.That(unwrapper.Unwrap(65535), Is.EqualTo(65535), "a late packet from before the wrap");
        Assert.That(unwrapper.Latest, Is.EqualTo(65537));
        long expected = 65537;
        for (var i = 0; i < 300_000; i++)
        {
            expected += 100;
            Assert.That(unwrapper.Unwrap((ushort)expected), Is.EqualTo(expected));
        }

        Assert.That(unwrapper.Peek((ushort)(expected - 5)), Is.EqualTo(expected - 5));
    }

    [Test]
    public void UnwrapTimestamp_AcrossWrap_Extends()
    {
        var unwrapper = new RtpTimestampUnwrapper();
        Assert.That(unwrapper.Unwrap(uint.MaxValue - 10), Is.EqualTo((long)uint.MaxValue - 10));
        Assert.That(unwrapper.Unwrap(20), Is.EqualTo((long)uint.MaxValue + 21));
        Assert.That(unwrapper.Unwrap(uint.MaxValue - 100), Is.EqualTo((long)uint.MaxValue - 100));
        Assert.That(unwrapper.Latest, Is.EqualTo((long)uint.MaxValue + 21));
    }

    [Test]
    public void Classifier_Rfc5761Ranges()
    {
        Assert.That(RtpRtcpClassifier.IsRtcp([0x80, 200, 0, 6]), Is.True);
        Assert.That(RtpRtcpClassifier.IsRtcp([0x8F, 223, 0, 6]), Is.True);
        Assert.That(RtpRtcpClassifier.IsRtcp([0x80, 224, 0, 6]), Is.False);
        Assert.That(RtpRtcpClassifier.IsRtcp([0x80, 96]), Is.False);
        Assert.That(RtpRtcpClassifier.IsRtcp([0x00, 200]), Is.False);
        Assert.That(RtpRtcpClassifier.IsRtp(ChromiumRtpSamples.OneByte), Is.True);
        Assert.That(RtpRtcpClassifier.IsRtpOrRtcp([0x16]), Is.False);
    }
}
