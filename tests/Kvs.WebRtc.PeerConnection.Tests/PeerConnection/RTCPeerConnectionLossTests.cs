using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>
/// A reliable ordered channel over a virtual path that loses, delays, jitters and reorders datagrams (seeded, both
/// directions, from the first packet on: the ICE and DTLS handshakes cross it too) delivers exactly once, in order.
/// </summary>
[TestFixture]
public sealed class RTCPeerConnectionLossTests
{
    [TestCase(0.05, 300, 11)]
    [TestCase(0.20, 100, 12)]
    public async Task ReliableOrderedChannel_LossDelayJitterReorder_DeliversEveryMessageOnceInOrder(double lossRate, int count, int seed)
    {
        await using var pair = new VirtualPeerPair(seed);
        var conditions = new LinkConditions
        {
            LossRate = lossRate,
            Delay = TimeSpan.FromMilliseconds(25),
            Jitter = TimeSpan.FromMilliseconds(10),
            ReorderRate = 0.05,
            ReorderDelay = TimeSpan.FromMilliseconds(15),
        };
        pair.HostA.Uplink.Conditions = conditions;
        pair.HostB.Uplink.Conditions = conditions;
        var (local, remote) = await pair.OpenChannelAsync("lossy", null, TimeSpan.FromSeconds(60));
        var received = new List<int>();
        remote.MessageReceived += (_, e) =>
        {
            lock (received)
            {
                received.Add(BitConverter.ToInt32(e.Data.Span));
            }
        };

        var before = pair.B.GetStats().MessagesReceived;
        for (var i = 0; i < count; i++)
        {
            var payload = new byte[1000 + (i % 3 * 1500)];
            BitConverter.TryWriteBytes(payload, i);
            local.Send(payload);
        }

        await pair.RunUntilAsync(() => pair.B.GetStats().MessagesReceived >= before + count, TimeSpan.FromSeconds(120), "every message delivered");

        // Retransmissions that arrive twice must not be delivered twice: run on a while, then read what the user saw.
        await pair.RunForAsync(TimeSpan.FromSeconds(2));
        await pair.SettleAsync(() => Count(received) >= count, "message events");
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(pair.B.GetStats().MessagesReceived, Is.EqualTo(before + count));
        Assert.That(pair.A.GetStats().Retransmissions, Is.GreaterThan(0), "loss must have caused retransmissions");
        Assert.That(pair.HostA.Uplink.Counters.DroppedBy(DropReason.Loss), Is.GreaterThan(0));
        Assert.That(pair.HostB.Uplink.Counters.DroppedBy(DropReason.Loss), Is.GreaterThan(0));
        Assert.That(pair.HostA.Uplink.Counters.Reordered, Is.GreaterThan(0));
    }

    private static int Count(List<int> list)
    {
        lock (list)
        {
            return list.Count;
        }
    }
}
