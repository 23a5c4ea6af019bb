using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class RtpTimestampClockTests
{
    [Test]
    public void Advance_ThirtyFpsForAnHour_NoDrift()
    {
        var clock = new RtpTimestampClock(90000, 4_294_967_000);
        var frame = TimeSpan.FromTicks(333_333); // 1/30 s rounded down to 100 ns
        uint last = 0;
        for (var i = 0; i < 30 * 3600; i++)
        {
            last = clock.Advance(frame);
        }

        var expected = unchecked(4_294_967_000u + (uint)(107_999L * 333_333 * 9 / 1000));
        Assert.That(last, Is.EqualTo(expected));
        Assert.That(clock.GetTimestamp(TimeSpan.FromHours(1)), Is.EqualTo(unchecked(4_294_967_000u + 324_000_000u)));
    }

    [Test]
    public void GetTimestamp_FractionalSamplesRoundDownFromAbsoluteTime()
    {
        var clock = new RtpTimestampClock(48000, 0);
        Assert.That(clock.GetTimestamp(TimeSpan.FromMilliseconds(20)), Is.EqualTo(960u));
        Assert.That(clock.GetTimestamp(TimeSpan.FromTicks(1)), Is.Zero);
        Assert.That(RtpTimestampClock.ToClockUnits(TimeSpan.FromTicks(-1), 48000), Is.EqualTo(-1));
        Assert.That(RtpTimestampClock.ToClockUnits(TimeSpan.FromDays(3650), 90000), Is.EqualTo(3650L * 86400 * 90000), "no overflow");
    }

    [Test]
    public void CreateRandom_RandomOffsets()
    {
        var offsets = Enumerable.Range(0, 8).Select(_ => RtpTimestampClock.CreateRandom(8000).InitialTimestamp).Distinct().Count();
        Assert.That(offsets, Is.GreaterThan(1));
        Assert.That(new RtpTimestampClock(8000, 10).GetTimestampForSamples(160), Is.EqualTo(170u));
    }

    [TestCase("H264", 90000, true)]
    [TestCase("h265", 90000, true)]
    [TestCase("vp8", 90000, true)]
    [TestCase("VP9", 90000, true)]
    [TestCase("OPUS", 48000, false)]
    [TestCase("opus", 48000, false)]
    [TestCase("PCMU", 8000, false)]
    [TestCase("pcma", 8000, false)]
    public void Factory_KnownCodecs(string name, int clockRate, bool video)
    {
        Assert.That(RtpCodecFactory.TryGetClockRate(name, out var rate), Is.True);
        Assert.That(rate, Is.EqualTo(clockRate));
        Assert.That(RtpCodecFactory.IsVideo(name), Is.EqualTo(video));
        Assert.That(RtpCodecFactory.CreatePayloader(name), Is.Not.Null);
        Assert.That(RtpCodecFactory.CreateDepacketizer(name), Is.Not.Null);
        using var assembler = RtpCodecFactory.CreateAssembler(name);
        Assert.That(assembler, Is.Not.Null);
        Assert.That(RtpCodecFactory.CreateAssemblerOptions(name).MaxFrameSize, Is.EqualTo(video ? 4 << 20 : 64 << 10));
    }

    [Test]
    public void Factory_UnknownCodec_NullOrFalse()
    {
        Assert.That(RtpCodecFactory.TryGetClockRate("AV1", out _), Is.False);
        Assert.That(RtpCodecFactory.CreatePayloader("AV1"), Is.Null);
        Assert.That(RtpCodecFactory.CreateAssembler("G722"), Is.Null);
        Assert.That(() => RtpCodecFactory.CreateAssemblerOptions("AV1"), Throws.ArgumentException);
    }
}
