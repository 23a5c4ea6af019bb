using Kvs.WebRtc.PeerConnection.Rtp;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Rtp;

[TestFixture]
public sealed class RtpHeaderWriterTests
{
    [Test]
    public void Write_ChromiumOneByteSampleFields_ReproducesCapturedBytes()
    {
        // The captured header has one trailing zero pad byte after 11 bytes of elements, as we write it.
        var extensions = new RtpHeaderExtensions();
        extensions.Add(2, [0xf3, 0x43, 0x50]);
        extensions.Add(4, [0x00, 0x9b]);
        extensions.Add(13, [0x81, 0x00, 0x45]);
        var buffer = new byte[64];
        var size = RtpHeaderWriter.GetHeaderSize(0, extensions);
        var n = RtpHeaderWriter.Write(buffer, false, 45, 6751, 3557360969, 0xf7b16e83, [], extensions);
        Assert.That(n, Is.EqualTo(size));
        Assert.That(buffer.AsSpan(0, n).ToArray(), Is.EqualTo(ChromiumRtpSamples.OneByte));
    }

    [Test]
    public void Write_ChromiumTwoByteSampleFields_ReproducesCapturedBytes()
    {
        var sample = ChromiumRtpSamples.TwoByte;
        Assert.That(RtpHeader.TryParse(sample, out var parsed), Is.True);
        var extensions = new RtpHeaderExtensions();
        var reader = parsed.GetExtensions(sample);
        while (reader.TryReadNext(out var id, out var value))
        {
            extensions.Add(id, value);
        }

        Assert.That(extensions.FitsOneByteForm, Is.False, "a 33-byte value needs the two-byte form");
        var buffer = new byte[RtpHeaderWriter.GetHeaderSize(0, extensions)];
        var n = RtpHeaderWriter.Write(buffer, parsed.Marker, parsed.PayloadType, parsed.SequenceNumber, parsed.Timestamp, parsed.Ssrc, [], extensions);
        Assert.That(buffer.AsSpan(0, n).ToArray(), Is.EqualTo(sample));
    }

    [Test]
    public void Write_ThenParse_RoundTripsEveryField()
    {
        scoped var extensions = new RtpHeaderExtensions();
        Span<byte> abs = stackalloc byte[AbsSendTimeExtension.Size];
        AbsSendTimeExtension.Write(abs, TimeSpan.FromMilliseconds(1500));
        Span<byte> mid = stackalloc byte[8];
        var midLength = SdesItemExtension.Write(mid, "video0");
        extensions.Add(1, mid[..midLength]);
        extensions.Add(2, abs);
        extensions.Add(3, [0x12, 0x34]);
        uint[] csrcs = [7, 8, 9];
        var buffer = new byte[RtpHeaderWriter.GetHeaderSize(csrcs.Length, extensions) + 5];
        var n = RtpHeaderWriter.Write(buffer, true, 127, 65535, uint.MaxValue, 0xCAFEBABE, csrcs, extensions);

        Assert.That(RtpHeader.TryParse(buffer, out var header), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(header.Marker, Is.True);
            Assert.That(header.PayloadType, Is.EqualTo(127));
            Assert.That(header.SequenceNumber, Is.EqualTo(65535));
            Assert.That(header.Timestamp, Is.EqualTo(uint.MaxValue));
            Assert.That(header.Ssrc, Is.EqualTo(0xCAFEBABE));
            Assert.That(header.CsrcCount, Is.EqualTo(3));
            Assert.That(header.GetCsrc(buffer, 2), Is.EqualTo(9u));
            Assert.That(header.HasOneByteExtensions, Is.True);
            Assert.That(header.HeaderLength, Is.EqualTo(n));
            Assert.That(header.PayloadLength, Is.EqualTo(5));
        });
        Assert.That(header.TryGetExtension(buffer, 1, out var midValue) && SdesItemExtension.ValueEquals(midValue, "video0"), Is.True);
        Assert.That(header.TryGetExtension(buffer, 2, out var absValue), Is.True);
        Assert.That(AbsSendTimeExtension.TryRead(absValue, out var absTime), Is.True);
        Assert.That(AbsSendTimeExtension.FromValue(absTime), Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
        Assert.That(header.TryGetExtension(buffer, 3, out var seq) && TransportSequenceNumberExtension.TryRead(seq, out var s) && s == 0x1234, Is.True);
    }

    [TestCase(14, 16, true)]
    [TestCase(15, 1, false)]
    [TestCase(1, 17, false)]
    [TestCase(1, 0, false)]
    [TestCase(255, 255, false)]
    public void Write_IdAndLength_SelectsOneOrTwoByteForm(int id, int length, bool oneByte)
    {
        var value = new byte[length];
        Array.Fill(value, (byte)0x42);
        var extensions = new RtpHeaderExtensions();
        extensions.Add(3, [0x01]);
        extensions.Add(id, value);
        Assert.That(extensions.FitsOneByteForm, Is.EqualTo(oneByte));
        var buffer = new byte[RtpHeaderWriter.GetHeaderSize(0, extensions)];
        RtpHeaderWriter.Write(buffer, false, 96, 1, 1, 1, [], extensions);
        Assert.That(RtpHeader.TryParse(buffer, out var header), Is.True);
        Assert.That(header.HasOneByteExtensions, Is.EqualTo(oneByte));
        Assert.That(header.HasTwoByteExtensions, Is.EqualTo(!oneByte));
        Assert.That(header.ExtensionLength % 4, Is.Zero);
        Assert.That(header.TryGetExtension(buffer, id, out var read), Is.True);
        Assert.That(read.ToArray(), Is.EqualTo(value));
    }

    [Test]
    public void Write_NoExtensions_WritesTwelveBytesWithoutXBit()
    {
        var buffer = new byte[12];
        var n = RtpHeaderWriter.Write(buffer, false, 0, 0, 0, 0, [], default);
        Assert.That(n, Is.EqualTo(12));
        Assert.That(buffer[0], Is.EqualTo(0x80));
    }

    [Test]
    public void Write_DestinationTooSmallOrBadArguments_Throws()
    {
        Assert.That(() => RtpHeaderWriter.Write(new byte[11], false, 0, 0, 0, 0, [], default), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => RtpHeaderWriter.Write(new byte[12], false, 128, 0, 0, 0, [], default), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => new RtpHeaderExtensions().Add(0, [1]), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(
            () =>
            {
                var e = new RtpHeaderExtensions();
                for (var i = 1; i <= RtpHeaderExtensions.Capacity + 1; i++)
                {
                    e.Add(i, [1]);
                }
            },
            Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Write_AllocationFree()
    {
        var buffer = new byte[64];
        var mid = "0"u8.ToArray();
        var sum = 0;
        for (var i = 0; i < 100; i++)
        {
            sum += WriteOne(buffer, mid, (ushort)i);
        }

        // Steady state: the best of three rounds (a one-off runtime allocation on this thread, such as the JIT's
        // on-stack replacement of the loop, must not count; an allocation per write shows in every round).
        var allocated = long.MaxValue;
        for (var round = 0; round < 3 && allocated != 0; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 10_000; i++)
            {
                sum += WriteOne(buffer, mid, (ushort)i);
            }

            allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.That(allocated, Is.Zero);
        Assert.That(sum, Is.GreaterThan(0));

        static int WriteOne(byte[] buffer, byte[] mid, ushort seq)
        {
            Span<byte> abs = stackalloc byte[3];
            Span<byte> twcc = stackalloc byte[2];
            AbsSendTimeExtension.Write(abs, TimeSpan.FromMilliseconds(seq));
            TransportSequenceNumberExtension.Write(twcc, seq);
            scoped var extensions = new RtpHeaderExtensions();
            extensions.Add(1, mid);
            extensions.Add(2, abs);
            extensions.Add(3, twcc);
            return RtpHeaderWriter.Write(buffer, seq % 2 == 0, 96, seq, seq * 3000u, 0x1234, [], extensions);
        }
    }
}
