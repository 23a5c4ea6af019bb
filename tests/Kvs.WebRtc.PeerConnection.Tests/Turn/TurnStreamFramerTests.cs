using System.Buffers;
using Kvs.WebRtc.PeerConnection.Turn;
using Kvs.WebRtc.PeerConnection.Tests.Stun;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Turn;

[TestFixture]
public sealed class TurnStreamFramerTests
{
    [Test]
    public void TryReadFrame_StunAndPaddedChannelDataFedByteByByte_YieldsEachWholeFrame()
    {
        var stun = Rfc5769Vectors.ResponseIPv4;
        byte[] channel = [0x40, 0x01, 0x00, 0x03, 7, 8, 9, 0];
        var stream = stun.Concat(channel).Concat(stun).ToArray();
        var framer = new TurnStreamFramer();
        var frames = new List<byte[]>();
        foreach (var b in stream)
        {
            Assert.That(framer.Write([b]), Is.EqualTo(1));
            while (framer.TryReadFrame(out var frame) == OperationStatus.Done)
            {
                frames.Add(frame.ToArray());
            }
        }

        Assert.That(frames, Has.Count.EqualTo(3));
        Assert.That(frames[0], Is.EqualTo(stun));
        Assert.That(frames[1], Is.EqualTo(channel));
        Assert.That(frames[2], Is.EqualTo(stun));
        Assert.That(TurnChannelData.TryParse(frames[1], out var number, out var data), Is.True);
        Assert.That((number, data.ToArray()), Is.EqualTo(((ushort)0x4001, new byte[] { 7, 8, 9 })));
    }

    [Test]
    public void TryReadFrame_ManyFramesInOneRead_AreAllReturned()
    {
        var framer = new TurnStreamFramer();
        var stun = Rfc5769Vectors.Request;
        framer.Write(stun.Concat(stun).Concat(stun).ToArray());
        var count = 0;
        while (framer.TryReadFrame(out _) == OperationStatus.Done)
        {
            count++;
        }

        Assert.That(count, Is.EqualTo(3));
        Assert.That(framer.TryReadFrame(out _), Is.EqualTo(OperationStatus.NeedMoreData));
    }

    [TestCase(new byte[] { 0x80, 0, 0, 4 })]
    [TestCase(new byte[] { 0xC0, 0, 0, 4 })]
    [TestCase(new byte[] { 0x00, 0x01, 0x00, 0x05 })]
    public void TryReadFrame_NotStunOrChannelData_IsInvalid(byte[] header)
    {
        var framer = new TurnStreamFramer();
        framer.Write(header);
        Assert.That(framer.TryReadFrame(out _), Is.EqualTo(OperationStatus.InvalidData));
    }

    [Test]
    public void TryReadFrame_FrameLargerThanBuffer_IsInvalid()
    {
        var framer = new TurnStreamFramer(capacity: 64);
        framer.Write([0x40, 0x00, 0x01, 0x00]);
        Assert.That(framer.TryReadFrame(out _), Is.EqualTo(OperationStatus.InvalidData));
    }

    [Test]
    public void Write_BeyondCapacity_TakesOnlyWhatFits()
    {
        var framer = new TurnStreamFramer(capacity: 32);
        Assert.That(framer.Write(new byte[40]), Is.EqualTo(32));
    }

    [Test]
    public void TryReadFrame_SeededRandomStreams_NeverThrowsAndNeverReturnsOversizedFrames()
    {
        var random = new Random(4571);
        var valid = Rfc5769Vectors.Request.Concat(new byte[] { 0x40, 0x00, 0x00, 0x01, 5, 0, 0, 0 }).ToArray();
        for (var round = 0; round < 500; round++)
        {
            var framer = new TurnStreamFramer(capacity: 256);
            var stream = valid.Concat(valid).ToArray();
            for (var flips = random.Next(0, 6); flips > 0; flips--)
            {
                stream[random.Next(stream.Length)] = (byte)random.Next(256);
            }

            var offset = 0;
            var invalid = false;
            for (var guard = 0; guard < 1_000 && offset < stream.Length && !invalid; guard++)
            {
                var chunk = Math.Min(random.Next(1, 40), stream.Length - offset);
                offset += framer.Write(stream.AsSpan(offset, chunk));
                OperationStatus status;
                while ((status = framer.TryReadFrame(out var frame)) == OperationStatus.Done)
                {
                    Assert.That(frame.Length, Is.InRange(4, 256));
                }

                invalid = status == OperationStatus.InvalidData;
            }

            Assert.That(invalid || offset == stream.Length, Is.True, $"round {round} stalled");
        }
    }
}
