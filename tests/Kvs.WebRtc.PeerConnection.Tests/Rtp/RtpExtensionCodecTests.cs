using Kvs.WebRtc.PeerConnection.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtp;

[TestFixture]
public sealed class RtpExtensionCodecTests
{
    [TestCase(0.0, 0x000000u)]
    [TestCase(1.0, 0x040000u)]
    [TestCase(0.5, 0x020000u)]
    [TestCase(63.75, 0xFF0000u)]
    [TestCase(64.0, 0x000000u)]
    [TestCase(65.25, 0x050000u)]
    public void AbsSendTime_ToValue_Is6Dot18FixedPointSecondsModulo64(double seconds, uint expected)
    {
        Assert.That(AbsSendTimeExtension.ToValue(TimeSpan.FromSeconds(seconds)), Is.EqualTo(expected));
    }

    [Test]
    public void AbsSendTime_WriteRead_RoundTripsWithinResolution()
    {
        Span<byte> buffer = stackalloc byte[3];
        var time = TimeSpan.FromMilliseconds(12_345.678);
        Assert.That(AbsSendTimeExtension.Write(buffer, time), Is.EqualTo(3));
        Assert.That(AbsSendTimeExtension.TryRead(buffer, out var value), Is.True);
        var back = AbsSendTimeExtension.FromValue(value);
        Assert.That(Math.Abs((back - time).TotalMicroseconds), Is.LessThan(4));
        Assert.That(AbsSendTimeExtension.TryRead(buffer[..2], out _), Is.False);
        Assert.That(AbsSendTimeExtension.ToValue(TimeSpan.FromSeconds(-1)), Is.EqualTo(63u << 18));
    }

    [Test]
    public void TransportSequenceNumber_WriteRead_BigEndian()
    {
        Span<byte> buffer = stackalloc byte[2];
        TransportSequenceNumberExtension.Write(buffer, 0xABCD);
        Assert.That(buffer[0], Is.EqualTo(0xAB));
        Assert.That(TransportSequenceNumberExtension.TryRead(buffer, out var seq) && seq == 0xABCD, Is.True);
        Assert.That(TransportSequenceNumberExtension.TryRead(buffer[..1], out _), Is.False);
    }

    [Test]
    public void AudioLevel_VoiceBitAndLevel_Rfc6464Layout()
    {
        Span<byte> buffer = stackalloc byte[1];
        AudioLevelExtension.Write(buffer, true, 30);
        Assert.That(buffer[0], Is.EqualTo(0x80 | 30));
        Assert.That(AudioLevelExtension.TryRead(buffer, out var voice, out var level), Is.True);
        Assert.That((voice, level), Is.EqualTo((true, 30)));
        AudioLevelExtension.Write(buffer, false, 200);
        Assert.That(buffer[0], Is.EqualTo(127));
        Assert.That(AudioLevelExtension.TryRead([], out _, out _), Is.False);
    }

    [TestCase(0, false, false, 0x00)]
    [TestCase(90, false, false, 0x01)]
    [TestCase(180, true, false, 0x06)]
    [TestCase(270, true, true, 0x0F)]
    public void VideoOrientation_Cvo_Layout(int degrees, bool flip, bool back, int expected)
    {
        Span<byte> buffer = stackalloc byte[1];
        VideoOrientationExtension.Write(buffer, degrees, flip, back);
        Assert.That(buffer[0], Is.EqualTo(expected));
        Assert.That(VideoOrientationExtension.TryRead(buffer, out var d, out var f, out var b), Is.True);
        Assert.That((d, f, b), Is.EqualTo((degrees, flip, back)));
    }

    [Test]
    public void VideoOrientation_BadRotation_Throws()
    {
        Assert.That(() => VideoOrientationExtension.Write(new byte[1], 45), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void SdesItem_ValueEqualsAndTryGetString()
    {
        Assert.That(SdesItemExtension.ValueEquals("audio"u8, "audio"), Is.True);
        Assert.That(SdesItemExtension.ValueEquals("audio"u8, "audi"), Is.False);
        Assert.That(SdesItemExtension.ValueEquals("audio"u8, "Audio"), Is.False);
        Assert.That(SdesItemExtension.TryGetString("hi\0\0"u8, out var s) && s == "hi", Is.True);
        Assert.That(SdesItemExtension.TryGetString("a b"u8, out _), Is.False);
        Assert.That(SdesItemExtension.TryGetString([0, 0], out _), Is.False);
        Assert.That(() => SdesItemExtension.Write(new byte[4], "é"), Throws.ArgumentException);
    }

    [Test]
    public void Uris_AreTheNegotiatedStrings()
    {
        Assert.That(RtpExtensionUri.Mid, Is.EqualTo("urn:ietf:params:rtp-hdrext:sdes:mid"));
        Assert.That(RtpExtensionUri.TransportWideCc, Does.EndWith("transport-wide-cc-extensions-01"));
    }
}
