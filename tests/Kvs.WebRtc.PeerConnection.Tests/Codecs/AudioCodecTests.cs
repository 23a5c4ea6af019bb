using Kvs.WebRtc.PeerConnection.Codecs;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Codecs;

[TestFixture]
public sealed class AudioCodecTests
{
    [TestCase(new byte[] { 0x78 }, 960)] // config 15: Hybrid FB 20 ms, code 0
    [TestCase(new byte[] { 0xFC }, 960)] // config 31: CELT FB 20 ms
    [TestCase(new byte[] { 0x01 }, 960)] // config 0: SILK NB 10 ms, code 1: two frames
    [TestCase(new byte[] { 0x1B, 0x03 }, 8640)] // config 3 (60 ms) x 3 frames: over 120 ms
    [TestCase(new byte[] { 0x1B, 0x02 }, 5760)] // 60 ms x 2
    [TestCase(new byte[] { 0x83, 0x05 }, 600)] // config 16: CELT NB 2.5 ms x 5
    public void OpusToc_TryGetDuration(byte[] packet, int samples)
    {
        var ok = OpusToc.TryGetDuration(packet, out var duration);
        if (samples > OpusToc.MaxPacketSamples)
        {
            Assert.That(ok, Is.False);
        }
        else
        {
            Assert.That(ok, Is.True);
            Assert.That(duration, Is.EqualTo(samples));
        }
    }

    [Test]
    public void OpusToc_SamplesPerFrame_AllConfigs()
    {
        int[] expected =
        [
            480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 480, 960,
            120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
        ];
        Assert.That(Enumerable.Range(0, 32).Select(c => OpusToc.GetSamplesPerFrame((byte)(c << 3))), Is.EqualTo(expected));
    }

    [Test]
    public void OpusToc_Code3WithoutCount_False()
    {
        Assert.That(OpusToc.TryGetFrameCount([0x03], out _), Is.False);
        Assert.That(OpusToc.TryGetFrameCount([0x03, 0x00], out _), Is.False);
        Assert.That(OpusToc.TryGetFrameCount([], out _), Is.False);
    }

    [Test]
    public void OpusPayloader_FrameLargerThanPayload_RejectedNotSent()
    {
        var payloader = new OpusPayloader();
        payloader.BeginFrame(new byte[300]);
        Assert.That(payloader.TryWriteNext(new byte[1200], 200, out _, out _), Is.False);
        Assert.That(payloader.LastFrameFlags.HasFlag(RtpPayloaderFrameFlags.TooLarge), Is.True);
        Assert.That(payloader.FramesRejected, Is.EqualTo(1));
        Assert.That(payloader.FramesAccepted, Is.Zero);

        payloader.BeginFrame(new byte[] { 0xFC, 1, 2 });
        Assert.That(payloader.TryWriteNext(new byte[1200], 200, out var written, out var last), Is.True);
        Assert.That((written, last), Is.EqualTo((3, true)));
        Assert.That(payloader.TryWriteNext(new byte[1200], 200, out _, out _), Is.False);
    }

    [Test]
    public void G711Payloader_LongFrame_ChunksWithTimestampOffsets()
    {
        var payloader = new G711Payloader();
        payloader.BeginFrame(new byte[500]);
        var offsets = new List<(uint Offset, int Samples, int Written, bool Last)>();
        var buffer = new byte[1500];
        while (payloader.TryWriteNext(buffer, 160, out var written, out var last))
        {
            offsets.Add((payloader.PayloadTimestampOffset, payloader.SamplesInPayload, written, last));
        }

        Assert.That(offsets, Is.EqualTo(new[] { (0u, 160, 160, false), (160u, 160, 160, false), (320u, 160, 160, false), (480u, 20, 20, true) }));
    }

    [TestCase((short)0, (byte)0xFF, (byte)0xD5)]
    [TestCase((short)-32768, (byte)0x00, (byte)0x2A)]
    [TestCase((short)32767, (byte)0x80, (byte)0xAA)]
    [TestCase((short)1000, (byte)0xCE, (byte)0xFA)]
    [TestCase((short)-1000, (byte)0x4E, (byte)0x7A)]
    public void G711_Encode_KnownValues(short sample, byte muLaw, byte aLaw)
    {
        Assert.That(G711.EncodeMuLaw(sample), Is.EqualTo(muLaw));
        Assert.That(G711.EncodeALaw(sample), Is.EqualTo(aLaw));
    }

    [Test]
    public void G711_DecodeEncode_IsIdentityOnEveryCode()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.That(G711.EncodeMuLaw(G711.DecodeMuLaw((byte)code)), Is.EqualTo(code == 0x7F ? 0xFF : code), $"μ-law {code:x2}");
            Assert.That(G711.EncodeALaw(G711.DecodeALaw((byte)code)), Is.EqualTo(code), $"A-law {code:x2}");
        }
    }

    [Test]
    public void G711_RoundTrip_ErrorWithinQuantizationStep()
    {
        short[] samples = [0, 1, -1, 100, -100, 1000, -1000, 10000, -10000, 32000, -32000];
        var mu = new byte[samples.Length];
        var a = new byte[samples.Length];
        G711.EncodeMuLaw(samples, mu);
        G711.EncodeALaw(samples, a);
        var back = new short[samples.Length];
        G711.DecodeMuLaw(mu, back);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.That(Math.Abs(back[i] - samples[i]), Is.LessThanOrEqualTo(Math.Max(8, Math.Abs((int)samples[i]) / 16)), $"μ-law {samples[i]}");
        }

        G711.DecodeALaw(a, back);
        for (var i = 0; i < samples.Length; i++)
        {
            Assert.That(Math.Abs(back[i] - samples[i]), Is.LessThanOrEqualTo(Math.Max(16, Math.Abs((int)samples[i]) / 16)), $"A-law {samples[i]}");
        }
    }
}
