using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Transport;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

public sealed class DtlsClientHelloDefragmenterTests
{
    [Test]
    public void TwoFragmentsInTwoDatagrams_AreJoinedIntoOneUnfragmentedRecord()
    {
        var body = new byte[1500];
        new Random(3).NextBytes(body);
        var first = Record(recordSequence: 4, messageSequence: 1, body, offset: 0, count: 1000);
        var second = Record(recordSequence: 5, messageSequence: 1, body, offset: 1000, count: 500);
        var defragmenter = new DtlsClientHelloDefragmenter();

        Assert.That(defragmenter.TryAbsorb(first, out var none), Is.True);
        Assert.That(none, Is.Null);
        Assert.That(defragmenter.TryAbsorb(second, out var whole), Is.True);
        Assert.That(whole, Is.EqualTo(Record(recordSequence: 5, messageSequence: 1, body, offset: 0, count: body.Length)));
    }

    [Test]
    public void RepeatedAndOutOfOrderFragments_StillJoinOnce()
    {
        var body = new byte[900];
        new Random(4).NextBytes(body);
        var defragmenter = new DtlsClientHelloDefragmenter();
        Assert.That(defragmenter.TryAbsorb(Record(7, 0, body, 600, 300), out var a), Is.True);
        Assert.That(defragmenter.TryAbsorb(Record(8, 0, body, 600, 300), out var b), Is.True);
        Assert.That(defragmenter.TryAbsorb(Record(9, 0, body, 0, 600), out var whole), Is.True);
        Assert.That(a, Is.Null);
        Assert.That(b, Is.Null);
        Assert.That(whole, Is.EqualTo(Record(9, 0, body, 0, body.Length)));
    }

    [Test]
    public void WholeClientHelloAndOtherRecords_PassThrough()
    {
        var body = new byte[100];
        var defragmenter = new DtlsClientHelloDefragmenter();
        Assert.That(defragmenter.TryAbsorb(Record(1, 0, body, 0, body.Length), out _), Is.False);
        var alert = new byte[] { 21, 0xFE, 0xFD, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 2, 40 };
        Assert.That(defragmenter.TryAbsorb(alert, out _), Is.False);
        Assert.That(defragmenter.TryAbsorb(ReadOnlySpan<byte>.Empty, out _), Is.False);
    }

    [Test]
    public void MutatedFragments_NeverThrow()
    {
        var random = new Random(5);
        var body = new byte[1300];
        var defragmenter = new DtlsClientHelloDefragmenter();
        for (var i = 0; i < 2000; i++)
        {
            var datagram = Record((ulong)i, (ushort)(i % 3), body, 0, 700 + (i % 600));
            for (var m = 0; m < 3; m++)
            {
                datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
            }

            Assert.DoesNotThrow(() => defragmenter.TryAbsorb(datagram.AsSpan(0, random.Next(datagram.Length + 1)), out _));
        }
    }

    private static byte[] Record(ulong recordSequence, ushort messageSequence, byte[] body, int offset, int count)
    {
        var output = new byte[13 + 12 + count];
        output[0] = 22;
        output[1] = 0xFE;
        output[2] = 0xFD;
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(5), (ushort)(recordSequence >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(7), (uint)recordSequence);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(11), (ushort)(12 + count));
        var handshake = output.AsSpan(13);
        handshake[0] = 1;
        Write24(handshake[1..], body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(handshake[4..], messageSequence);
        Write24(handshake[6..], offset);
        Write24(handshake[9..], count);
        body.AsSpan(offset, count).CopyTo(handshake[12..]);
        return output;
    }

    private static void Write24(Span<byte> destination, int value)
    {
        destination[0] = (byte)(value >> 16);
        destination[1] = (byte)(value >> 8);
        destination[2] = (byte)value;
    }
}
