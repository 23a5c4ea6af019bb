using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class RtpPacketHistoryTests
{
    private static readonly TimeSpan s_ms = TimeSpan.FromMilliseconds(1);

    [Test]
    public void TryCopy_WithinMaxAge_ReturnsThePacket_AfterItReturnsNothing()
    {
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        history.Add(Packet(100, 300), TimeSpan.FromSeconds(10));
        var destination = new byte[1500];

        Assert.That(history.TryCopy(100, TimeSpan.FromSeconds(10.5), destination), Is.EqualTo(300));
        Assert.That(destination.AsSpan(0, 300).ToArray(), Is.EqualTo(Packet(100, 300)));
        Assert.That(history.TryCopy(100, TimeSpan.FromSeconds(11), destination), Is.EqualTo(300), "exactly the max age still counts");
        Assert.That(history.TryCopy(100, TimeSpan.FromSeconds(11) + s_ms, destination), Is.Zero, "expired");
        Assert.That(history.TryCopy(101, TimeSpan.FromSeconds(10), destination), Is.Zero, "never stored");
        Assert.That(history.TryCopy(100, TimeSpan.FromSeconds(10), new byte[299]), Is.EqualTo(-1), "destination too small");
    }

    [Test]
    public void ObserveRoundTripTime_LongRtt_KeepsThreeRttsAndForgetsItAfterTenSeconds()
    {
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        history.ObserveRoundTripTime(TimeSpan.FromMilliseconds(200), TimeSpan.Zero);
        Assert.That(history.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(1)), "3 × 200 ms is under the minimum");

        history.ObserveRoundTripTime(TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(1));
        Assert.That(history.MaxAge, Is.EqualTo(TimeSpan.FromMilliseconds(1800)));
        history.Add(Packet(7, 100), TimeSpan.FromSeconds(2));
        Assert.That(history.TryCopy(7, TimeSpan.FromSeconds(3.7), new byte[1500]), Is.EqualTo(100));

        history.ObserveRoundTripTime(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5));
        Assert.That(history.MaxAge, Is.EqualTo(TimeSpan.FromMilliseconds(1800)), "a smaller RTT does not shrink it at once");
        history.ObserveRoundTripTime(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(12));
        Assert.That(history.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void Add_OneSecondAt4Mbps_GrowsToHoldItThenStopsGrowing()
    {
        // 4 Mbit/s in 1,212-byte packets: ~412 packets per second.
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var packet = Packet(0, 1212);
        var interval = TimeSpan.FromSeconds(1) / 412;
        var now = TimeSpan.Zero;
        for (var i = 0; i < 412 * 5; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)(60000 + i)); // wraps
            history.Add(packet, now);
            now += interval;
        }

        Assert.That(history.Capacity, Is.EqualTo(512), "the smallest power of two holding one second");
        Assert.That(history.StoredBytes, Is.LessThanOrEqualTo(512 * 1212), "bounded: a buffer per slot");
        var last = (ushort)(60000 + (412 * 5) - 1);
        var destination = new byte[1500];
        Assert.That(history.TryCopy(last, now, destination), Is.EqualTo(1212));
        Assert.That(history.TryCopy((ushort)(last - 400), now, destination), Is.EqualTo(1212), "a packet ~970 ms old");
        Assert.That(history.TryCopy((ushort)(last - 450), now, destination), Is.Zero, "older than a second");
    }

    [Test]
    public void Add_FarMoreThanMaxPacketsWithinMaxAge_StaysAtMaxPackets()
    {
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(10), maxPackets: 1024);
        var packet = Packet(0, 200);
        for (var i = 0; i < 70_000; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)i);
            history.Add(packet, TimeSpan.FromMilliseconds(i / 100.0));
        }

        Assert.That(history.Capacity, Is.EqualTo(1024));
        Assert.That(history.StoredBytes, Is.EqualTo(1024 * 200));
        Assert.That(history.TryCopy(unchecked((ushort)69_999), TimeSpan.FromSeconds(1), new byte[1500]), Is.EqualTo(200));
        Assert.That(history.TryCopy(unchecked((ushort)(69_999 - 1024)), TimeSpan.FromSeconds(1), new byte[1500]), Is.Zero, "overwritten");
    }

    [Test]
    public void AddAndTryCopy_SteadyState_AllocateNothing()
    {
        var history = new RtpPacketHistory(TimeSpan.FromSeconds(1));
        var packet = Packet(0, 1212);
        var destination = new byte[1500];
        var now = TimeSpan.Zero;
        ushort sequence = 0;
        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                sequence++;
                BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
                history.Add(packet, now);
                history.TryCopy((ushort)(sequence - 10), now, destination);
                now += TimeSpan.FromMilliseconds(2.5);
            }
        }

        Run(5000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(5000);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    internal static byte[] Packet(ushort sequence, int length)
    {
        var packet = new byte[length];
        packet[0] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequence);
        for (var i = 12; i < length; i++)
        {
            packet[i] = (byte)(i * 7);
        }

        return packet;
    }
}
