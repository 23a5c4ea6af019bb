using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>Batched sends (<see cref="IDatagramSocket.TrySendSegments"/>, UDP GSO on Linux) of the real socket on 127.0.0.1.</summary>
[TestFixture]
public sealed class SystemDatagramSocketTests
{
    [Test]
    public void TrySendSegments_Loopback_ArriveAsTheIndividualDatagramsByteForByteInOrder()
    {
        using var receiver = BoundReceiver();
        using var sender = new SystemDatagramSocketFactory(0, 0).Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var destination = receiver.LocalEndPoint!.Serialize();

        // Five 1,000-byte datagrams and a shorter last one, each with its own content.
        var expected = Enumerable.Range(0, 6).Select(i => Pattern(i == 5 ? 300 : 1000, i)).ToArray();
        var segments = expected.SelectMany(d => d).ToArray();
        var sent = sender.TrySendSegments(segments, 1000, destination, out var error);

        if (!OperatingSystem.IsLinux())
        {
            Assert.That(sent, Is.False, "UDP GSO is Linux only: elsewhere the caller sends one by one");
            return;
        }

        Assert.That(sent, Is.True, "the Linux kernel takes UDP_SEGMENT on a loopback socket");
        Assert.That(error, Is.EqualTo(SocketError.Success));
        Assert.That(sender.SupportsSegments, Is.True);
        foreach (var datagram in expected)
        {
            Assert.That(Receive(receiver), Is.EqualTo(datagram));
        }

        // A later single datagram longer than the segment size leaves whole, and a short one too.
        var large = Pattern(1400, 9);
        Assert.That(sender.SendTo(large, destination), Is.EqualTo(SocketError.Success));
        Assert.That(Receive(receiver), Is.EqualTo(large), "a single send is never split in segments");
        Assert.That(sender.SendTo(Pattern(20, 10), destination), Is.EqualTo(SocketError.Success));
        Assert.That(Receive(receiver), Is.EqualTo(Pattern(20, 10)));

        // A batch with another segment size after that.
        var second = new[] { Pattern(1200, 11), Pattern(1200, 12) };
        Assert.That(sender.TrySendSegments(second.SelectMany(d => d).ToArray(), 1200, destination, out error), Is.True);
        Assert.That(error, Is.EqualTo(SocketError.Success));
        Assert.That(Receive(receiver), Is.EqualTo(second[0]));
        Assert.That(Receive(receiver), Is.EqualTo(second[1]));
    }

    [TestCase(65, 100)]
    [TestCase(61, 1000)]
    [TestCase(1, 0)]
    public void TrySendSegments_BeyondTheBatchLimits_SendsNothingAndReturnsFalse(int segmentCount, int segmentSize)
    {
        using var receiver = BoundReceiver();
        using var sender = new SystemDatagramSocketFactory(0, 0).Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var segments = new byte[Math.Max(1, segmentCount * segmentSize)];

        Assert.That(sender.TrySendSegments(segments, segmentSize, receiver.LocalEndPoint!.Serialize(), out _), Is.False);
        Assert.That(receiver.Available, Is.Zero);
    }

    [Test]
    public void TrySendSegments_OneDatagram_SendsItAsIs()
    {
        using var receiver = BoundReceiver();
        using var sender = new SystemDatagramSocketFactory(0, 0).Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var datagram = Pattern(700, 3);

        var sent = sender.TrySendSegments(datagram, 1000, receiver.LocalEndPoint!.Serialize(), out var error);

        Assert.That(sent, Is.EqualTo(OperatingSystem.IsLinux()));
        if (sent)
        {
            Assert.That(error, Is.EqualTo(SocketError.Success));
            Assert.That(Receive(receiver), Is.EqualTo(datagram));
        }
    }

    private static Socket BoundReceiver()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveTimeout = 5000 };
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return socket;
    }

    private static byte[] Receive(Socket socket)
    {
        var buffer = new byte[65536];
        var length = socket.Receive(buffer);
        return buffer[..length];
    }

    private static byte[] Pattern(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
