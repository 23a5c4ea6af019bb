using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

[TestFixture]
public sealed class InterArrivalGrouperTests
{
    [Test]
    public void TryAdd_PacketsEveryMs_GroupsOf5MsAndDeltasOfTheirLastPackets()
    {
        var grouper = new InterArrivalGrouper();
        var deltas = new List<(long Send, long Arrival, long GroupArrival)>();
        for (long ms = 0; ms <= 24; ms++)
        {
            var send = ms * 1000;
            var arrival = 20_000 + (send * 11 / 10); // the path stretches spacing by 10 %
            if (grouper.TryAdd(send, arrival, out var sendDelta, out var arrivalDelta, out var groupArrival))
            {
                deltas.Add((sendDelta, arrivalDelta, groupArrival));
            }
        }

        // Groups {0..5}, {6..11}, {12..17}, {18..23}, {24..}: deltas when 12, 18 and 24 open a group.
        Assert.That(deltas, Is.EqualTo(new[] { (6000L, 6600L, 20_000L + 12_100), (6000L, 6600L, 20_000L + 18_700), (6000L, 6600L, 20_000L + 25_300) }));
    }

    [Test]
    public void TryAdd_BurstReleasedAtOnce_JoinsOneGroup()
    {
        var grouper = new InterArrivalGrouper();
        // Sent 10 ms apart, but a queue released them 1 ms apart: one burst, no deltas.
        for (var i = 0; i < 8; i++)
        {
            Assert.That(grouper.TryAdd(i * 10_000, 100_000 + (i * 1000), out _, out _, out _), Is.False);
        }
    }

    [Test]
    public void TryAdd_ArrivalJumpOver3s_Restarts()
    {
        var grouper = new InterArrivalGrouper();
        grouper.TryAdd(0, 0, out _, out _, out _);
        grouper.TryAdd(10_000, 10_000, out _, out _, out _);
        grouper.TryAdd(20_000, 5_000_000, out _, out _, out _);
        Assert.That(grouper.ResetCount, Is.EqualTo(1));
        Assert.That(grouper.TryAdd(30_000, 5_010_000, out _, out _, out _), Is.False, "needs two fresh groups");
        Assert.That(grouper.TryAdd(40_000, 5_020_000, out var send, out var arrival, out _), Is.True);
        Assert.That((send, arrival), Is.EqualTo((10_000L, 10_000L)));
    }

    [Test]
    public void TryAdd_OlderSendTime_IsIgnored()
    {
        var grouper = new InterArrivalGrouper();
        grouper.TryAdd(100_000, 0, out _, out _, out _);
        Assert.That(grouper.TryAdd(50_000, 1_000, out _, out _, out _), Is.False);
        grouper.TryAdd(110_000, 10_000, out _, out _, out _);
        Assert.That(grouper.TryAdd(120_000, 20_000, out var send, out _, out _), Is.True);
        Assert.That(send, Is.EqualTo(10_000));
    }

    [Test]
    public void TryAdd_ArrivalsRunningBackwardsThreeGroups_Restarts()
    {
        var grouper = new InterArrivalGrouper();
        long arrival = 1_000_000;
        for (var i = 0; i < 6; i++)
        {
            grouper.TryAdd(i * 10_000, arrival, out _, out _, out _);
            arrival -= 20_000;
        }

        Assert.That(grouper.ResetCount, Is.EqualTo(1));
    }
}
