using Kvs.WebRtc.PeerConnection.DataChannels;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.DataChannels;

public sealed class DcepOpenMessageTests
{
    [Test]
    public void WriteTo_PartialReliableRexmit_MatchesRfc8832Layout()
    {
        var open = new DcepOpenMessage(DcepChannelType.PartialReliableRexmitUnordered, 256, 5, "ab", "xyz");
        byte[] expected =
        [
            0x03, 0x81, 0x01, 0x00, // type OPEN, channel type 0x81, priority 256
            0x00, 0x00, 0x00, 0x05, // reliability parameter
            0x00, 0x02, 0x00, 0x03, // label length, protocol length
            (byte)'a', (byte)'b', (byte)'x', (byte)'y', (byte)'z',
        ];
        Assert.That(open.ToArray(), Is.EqualTo(expected));
        Assert.That(DcepOpenMessage.TryParse(expected, out var parsed), Is.True);
        Assert.That(parsed, Is.EqualTo(open));
        Assert.That((parsed!.Ordered, parsed.MaxRetransmits, parsed.MaxPacketLifeTime), Is.EqualTo((false, (int?)5, (int?)null)));
    }

    [TestCase(true, null, null, 0x00)]
    [TestCase(false, null, null, 0x80)]
    [TestCase(true, 2, null, 0x01)]
    [TestCase(false, null, 100, 0x82)]
    public void ToChannelType_MapsOptions(bool ordered, int? rexmit, int? lifetime, int expected) =>
        Assert.That((int)DcepOpenMessage.ToChannelType(ordered, rexmit, lifetime), Is.EqualTo(expected));

    [Test]
    public void TryParse_TruncatedOrUnknownType_ReturnsFalse()
    {
        var bytes = new DcepOpenMessage(DcepChannelType.Reliable, 0, 0, "label", "p").ToArray();
        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.That(DcepOpenMessage.TryParse(bytes.AsSpan(0, length), out _), Is.False, $"length {length}");
        }

        bytes[1] = 0x07;
        Assert.That(DcepOpenMessage.TryParse(bytes, out _), Is.False);
    }

    [Test]
    public void TryParse_SeededMutations_NeverThrow()
    {
        var random = new Random(99);
        var valid = new DcepOpenMessage(DcepChannelType.PartialReliableTimed, 1, 1000, "label-ü", "proto").ToArray();
        for (var i = 0; i < 20_000; i++)
        {
            var copy = (byte[])valid.Clone();
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
            if (random.Next(4) == 0)
            {
                Array.Resize(ref copy, random.Next(copy.Length));
            }

            Assert.DoesNotThrow(() => DcepOpenMessage.TryParse(copy, out _));
        }
    }
}
