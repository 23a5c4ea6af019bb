using Kvs.WebRtc.PeerConnection.Media;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Media;

[TestFixture]
public sealed class NackGeneratorTests
{
    private static TimeSpan Ms(double ms) => TimeSpan.FromMilliseconds(ms);

    [Test]
    public void Poll_GapAfterReorderGrace_NacksTheMissingInOrder_ThenRetriesEveryInterval()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(5), DefaultRetryInterval = Ms(50), MaxAge = Ms(500) });
        var lost = new ushort[16];
        generator.OnPacket(10, Ms(0));
        generator.OnPacket(11, Ms(1));
        generator.OnPacket(15, Ms(2)); // 12, 13, 14 missing

        Assert.That(generator.MissingCount, Is.EqualTo(3));
        Assert.That(generator.NextTimeout, Is.EqualTo(Ms(7)));
        Assert.That(generator.Poll(Ms(6), lost, out var key), Is.Zero, "still within the reorder grace");
        Assert.That(key, Is.False);

        Assert.That(generator.Poll(Ms(7), lost, out _), Is.EqualTo(3));
        Assert.That(lost[..3], Is.EqualTo(new ushort[] { 12, 13, 14 }));
        Assert.That(generator.NextTimeout, Is.EqualTo(Ms(57)));
        Assert.That(generator.Poll(Ms(56), lost, out _), Is.Zero, "not again before the retry interval");

        generator.OnPacket(13, Ms(30)); // a retransmission
        Assert.That(generator.Poll(Ms(57), lost, out _), Is.EqualTo(2));
        Assert.That(lost[..2], Is.EqualTo(new ushort[] { 12, 14 }));
        Assert.That((generator.NacksSent, generator.PacketsRequested, generator.PacketsRecovered), Is.EqualTo((2L, 5L, 1L)));
    }

    [Test]
    public void Poll_PacketNeverArrives_GivesUpAfterMaxRetriesAndAsksForAKeyFrameOnce()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(0), DefaultRetryInterval = Ms(20), MinRetryInterval = Ms(20), MaxRetries = 3, MaxAge = Ms(1000) });
        var lost = new ushort[16];
        generator.OnPacket(1, Ms(0));
        generator.OnPacket(3, Ms(0));
        var nacks = 0;
        var keyFrames = 0;
        var now = Ms(0);
        for (var step = 0; step < 100 && generator.NextTimeout is { } due; step++)
        {
            now = due;
            nacks += generator.Poll(now, lost, out var key) > 0 ? 1 : 0;
            keyFrames += key ? 1 : 0;
        }

        Assert.That(nacks, Is.EqualTo(3));
        Assert.That(keyFrames, Is.EqualTo(1));
        Assert.That(now, Is.EqualTo(Ms(60)), "given up one interval after the last try");
        Assert.That((generator.MissingCount, generator.PacketsGivenUp), Is.EqualTo((0, 1L)));
        Assert.That(generator.NextTimeout, Is.Null, "nothing left to do: no timer");
    }

    [Test]
    public void DiscardMissingBefore_ForgetsOlderGaps_AndNeverAsksForThemLater_NewerGapsStillAsked()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(0), DefaultRetryInterval = Ms(50) });
        generator.OnPacket(65530, Ms(0));
        generator.OnPacket(65535, Ms(1)); // 65531..65534 missing

        generator.DiscardMissingBefore(65533);
        Assert.That(generator.MissingCount, Is.EqualTo(2));
        generator.OnPacket(5, Ms(2)); // 0..4 missing, across the wrap
        generator.DiscardMissingBefore(2);
        Span<ushort> lost = stackalloc ushort[16];
        var count = generator.Poll(Ms(3), lost, out var keyFrameNeeded);

        Assert.That(lost[..count].ToArray(), Is.EqualTo(new ushort[] { 2, 3, 4 }));
        Assert.That(keyFrameNeeded, Is.False, "discarding is not a loss that needs a key frame");
        Assert.That(generator.PacketsGivenUp, Is.EqualTo(6));
    }

    [Test]
    public void OnPacket_GapBelowTheDiscardFloor_NotAsked()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(0) });
        generator.OnPacket(100, Ms(0));
        generator.DiscardMissingBefore(110);
        generator.OnPacket(112, Ms(1)); // 101..111 missing, only 110 and 111 at or above the floor
        Span<ushort> lost = stackalloc ushort[16];

        Assert.That(lost[..generator.Poll(Ms(2), lost, out _)].ToArray(), Is.EqualTo(new ushort[] { 110, 111 }));
    }

    [Test]
    public void Poll_PacketOlderThanMaxAge_IsGivenUp()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(0), DefaultRetryInterval = Ms(100), MaxRetries = 10, MaxAge = Ms(250) });
        var lost = new ushort[16];
        generator.OnPacket(1, Ms(0));
        generator.OnPacket(3, Ms(0));
        Assert.That(generator.Poll(Ms(0), lost, out _), Is.EqualTo(1));
        Assert.That(generator.Poll(Ms(100), lost, out _), Is.EqualTo(1));
        Assert.That(generator.Poll(Ms(200), lost, out _), Is.EqualTo(1));
        Assert.That(generator.NextTimeout, Is.EqualTo(Ms(250)), "the age limit comes before the next retry");
        Assert.That(generator.Poll(Ms(251), lost, out var key), Is.Zero);
        Assert.That(key, Is.True);
    }

    [Test]
    public void SetRoundTripTime_RetryIntervalFollowsRttWithinBounds()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(5), DefaultRetryInterval = Ms(50), MinRetryInterval = Ms(20), MaxRetryInterval = Ms(100) });
        Assert.That(generator.RetryInterval, Is.EqualTo(Ms(50)));
        generator.SetRoundTripTime(Ms(40));
        Assert.That(generator.RetryInterval, Is.EqualTo(Ms(45)));
        generator.SetRoundTripTime(Ms(2));
        Assert.That(generator.RetryInterval, Is.EqualTo(Ms(20)));
        generator.SetRoundTripTime(Ms(900));
        Assert.That(generator.RetryInterval, Is.EqualTo(Ms(100)));
    }

    [Test]
    public void OnPacket_GapLargerThanMaxMissing_NacksNothingAndAsksForAKeyFrame()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { MaxMissing = 100 });
        var lost = new ushort[16];
        generator.OnPacket(65500, Ms(0));
        generator.OnPacket(200, Ms(1)); // 235 lost across the wrap

        Assert.That(generator.MissingCount, Is.Zero);
        Assert.That(generator.Poll(Ms(1), lost, out var key), Is.Zero);
        Assert.That(key, Is.True);
        Assert.That(generator.PacketsGivenUp, Is.EqualTo(235));
    }

    [Test]
    public void OnPacket_AcrossTheWrap_NacksTheRightNumbers_AndManyLossesNeverExceedMaxMissing()
    {
        var generator = new NackGenerator(new NackGeneratorOptions { ReorderGrace = Ms(0), MaxMissing = 64 });
        var lost = new ushort[8];
        generator.OnPacket(65534, Ms(0));
        generator.OnPacket(1, Ms(0)); // 65535 and 0 missing
        Assert.That(generator.Poll(Ms(0), lost, out _), Is.EqualTo(2));
        Assert.That(lost[..2], Is.EqualTo(new ushort[] { 65535, 0 }));

        // Every other packet lost for a long time: the list stays bounded, the oldest are given up.
        for (var i = 0; i < 1000; i++)
        {
            generator.OnPacket((ushort)(3 + (2 * i)), Ms(i));
        }

        Assert.That(generator.MissingCount, Is.EqualTo(64));
        Assert.That(generator.Poll(Ms(1000), lost, out var key), Is.EqualTo(8), "a poll fills the span; the rest comes with the next poll");
        Assert.That(key, Is.True);
    }

    [Test]
    public void OnPacketAndPoll_SteadyStateWithLoss_AllocateNothing()
    {
        var generator = new NackGenerator();
        var lost = new ushort[64];
        var random = new Random(7);
        ushort sequence = 0;
        var now = TimeSpan.Zero;
        void Run(int count)
        {
            for (var i = 0; i < count; i++)
            {
                sequence++;
                now += Ms(2);
                if (random.NextDouble() < 0.05)
                {
                    continue;
                }

                generator.OnPacket(sequence, now);
                if (generator.NextTimeout is { } due && due <= now)
                {
                    generator.Poll(now, lost, out _);
                }
            }
        }

        Run(20_000);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(20_000);
        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
        Assert.That(generator.PacketsRequested, Is.GreaterThan(1000));
    }
}
