using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>A reliable ordered channel over a path that drops datagrams at random (seeded) delivers exactly once, in order.</summary>
[TestFixture]
[Parallelizable(ParallelScope.None)]
public sealed class RTCPeerConnectionLossTests
{
    [TestCase(0.05, 300)]
    [TestCase(0.20, 100)]
    public async Task ReliableOrderedChannel_UnderLoss_DeliversEveryMessageOnceInOrder(double lossRate, int count)
    {
        var ct = PeerPair.Timeout(40);
        await using var pair = new PeerPair();
        var (local, remote) = await pair.OpenChannelAsync("lossy", null, ct);

        // Loss in both directions (data one way, SACKs the other), from here on.
        pair.A.SetReceiveLoss(lossRate, seed: 1);
        pair.B.SetReceiveLoss(lossRate, seed: 2);
        var received = new List<int>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        remote.MessageReceived += (_, e) =>
        {
            received.Add(BitConverter.ToInt32(e.Data.Span));
            if (received.Count == count)
            {
                done.TrySetResult();
            }
        };

        for (var i = 0; i < count; i++)
        {
            var payload = new byte[1000 + (i % 3 * 1500)];
            BitConverter.TryWriteBytes(payload, i);
            await local.SendAsync(payload, ct);
        }

        await done.Task.WaitAsync(ct);

        // Give duplicates a moment to show up, if retransmissions were delivered twice.
        await Task.Delay(200, ct);
        Assert.That(received, Is.EqualTo(Enumerable.Range(0, count)));
        Assert.That(pair.B.GetStats().PacketsReceived, Is.GreaterThan(0));
        Assert.That(pair.A.GetStats().Retransmissions, Is.GreaterThan(0), "loss must have caused retransmissions");
    }
}
