using System.Buffers.Binary;
using Kvs.WebRtc.PeerConnection.Congestion;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

public sealed partial class SendSideBandwidthEstimatorTests
{
    private const int MutationRounds = 20_000;

    [Test]
    public void OnTransportFeedback_SeededMutationsOfValidFeedback_NeverThrowAndStayWithinLimits()
    {
        var options = new BandwidthEstimatorOptions();
        var estimator = new SendSideBandwidthEstimator(options);
        var random = new Random(20261207);
        ushort seq = 0;
        long now = 0;
        for (var round = 0; round < MutationRounds; round++)
        {
            var received = new List<(ushort, long)>();
            var baseSeq = seq;
            for (var i = 0; i < 20; i++, seq++)
            {
                estimator.OnPacketSent(seq, 1200, now + (i * 1000));
                received.Add((seq, 10_000 + now + (i * 1000)));
            }

            now += 20_000;
            var packet = FeedbackFactory.Build(baseSeq, received, (byte)round);
            var mutations = random.Next(1, 5);
            for (var m = 0; m < mutations; m++)
            {
                packet[random.Next(packet.Length)] ^= (byte)(1 << random.Next(8));
            }

            var length = random.Next(4) == 0 ? random.Next(packet.Length + 1) : packet.Length;
            estimator.OnTransportFeedback(packet.AsSpan(0, length), now);
            Assert.That(estimator.TargetBitrateBps, Is.InRange(options.MinBitrateBps, options.MaxBitrateBps));
        }

        TestContext.Out.WriteLine($"processed {estimator.FeedbackCount}, malformed {estimator.MalformedFeedbackCount}, ignored statuses {estimator.IgnoredStatusCount}, delay resets {estimator.DelayResetCount}");
        Assert.That(estimator.FeedbackCount, Is.GreaterThan(MutationRounds / 10), "mutations must not all be rejected by the parser");
        Assert.That(estimator.MalformedFeedbackCount, Is.GreaterThan(0));
    }

    [Test]
    public void OnTransportFeedback_AbsurdStatusCounts_AreIgnoredAndBounded()
    {
        var estimator = new SendSideBandwidthEstimator();
        for (ushort seq = 0; seq < 100; seq++)
        {
            estimator.OnPacketSent(seq, 1200, seq * 1000L);
        }

        // 65,535 "not received" statuses from base 0 (nine run-length chunks), then 65,535 "received" ones with
        // 65,535 one-byte deltas from base 50.
        Assert.That(estimator.OnTransportFeedback(RunLengthFeedback(0, symbol: 0), 200_000), Is.True);
        Assert.That(estimator.OnTransportFeedback(RunLengthFeedback(50, symbol: 1), 300_000), Is.True);

        Assert.That(estimator.IgnoredStatusCount, Is.EqualTo((65_535L - 100) + (65_535L - 50)));
        Assert.That(estimator.TargetBitrateBps, Is.InRange(30_000, 10_000_000));
    }

    [Test]
    public void OnTransportFeedback_HugeArrivalJumps_RestartTheDelayChainAndStayBounded()
    {
        var options = new BandwidthEstimatorOptions();
        var estimator = new SendSideBandwidthEstimator(options);
        var random = new Random(5);
        ushort seq = 0;
        long arrival = 10_000_000;
        for (var round = 0; round < 200; round++)
        {
            var received = new List<(ushort, long)>();
            var baseSeq = seq;
            for (var i = 0; i < 10; i++, seq++)
            {
                estimator.OnPacketSent(seq, 1200, (round * 100_000L) + (i * 10_000));
                arrival = Math.Max(0, arrival + random.Next(-8_000_000, 8_000_000));
                received.Add((seq, arrival));
            }

            estimator.OnTransportFeedback(FeedbackFactory.Build(baseSeq, received), (round * 100_000L) + 100_000);
            Assert.That(estimator.TargetBitrateBps, Is.InRange(options.MinBitrateBps, options.MaxBitrateBps));
        }

        Assert.That(estimator.DelayResetCount, Is.GreaterThan(0));
        Assert.That(estimator.IgnoredStatusCount, Is.Zero);
    }

    [Test]
    public void OnPacketSentAndOnTransportFeedback_SteadyState_AllocateNothing()
    {
        var estimator = new SendSideBandwidthEstimator();
        const int PerFeedback = 50;
        const int Feedbacks = 80;
        var packets = new byte[Feedbacks][];
        for (var f = 0; f < Feedbacks; f++)
        {
            var baseSeq = (ushort)(f * PerFeedback);
            packets[f] = FeedbackFactory.Build(baseSeq, Enumerable.Range(0, PerFeedback)
                .Where(i => i % 17 != 3)
                .Select(i => ((ushort)(baseSeq + i), 20_000L + (((f * PerFeedback) + i) * 1_000L) + (i % 7 * 300))));
        }

        void Run(int from, int to)
        {
            for (var f = from; f < to; f++)
            {
                for (var i = 0; i < PerFeedback; i++)
                {
                    var n = (f * PerFeedback) + i;
                    estimator.OnPacketSent((ushort)n, 1200, n * 1_000L);
                }

                estimator.OnTransportFeedback(packets[f], ((f + 1) * PerFeedback * 1_000L) + 40_000);
                estimator.TryTakeChange(out _);
            }
        }

        Run(0, Feedbacks / 2);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(Feedbacks / 2, Feedbacks);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.That(allocated, Is.Zero);
        Assert.That(estimator.FeedbackCount, Is.EqualTo(Feedbacks));
    }

    private static byte[] RunLengthFeedback(ushort baseSeq, int symbol)
    {
        const int Count = 65_535;
        var chunks = (Count + 8190) / 8191;
        var deltaBytes = symbol == 1 ? Count : 0;
        var length = (20 + (chunks * 2) + deltaBytes + 3) / 4 * 4;
        var packet = new byte[length];
        packet[0] = 0x8F;
        packet[1] = 205;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), (ushort)((length / 4) - 1));
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 2);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(12), baseSeq);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(14), Count);
        packet[18] = 1; // reference time
        var remaining = Count;
        for (var c = 0; c < chunks; c++)
        {
            var run = Math.Min(remaining, 8191);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(20 + (c * 2)), (ushort)((symbol << 13) | run));
            remaining -= run;
        }

        for (var i = 0; i < deltaBytes; i++)
        {
            packet[20 + (chunks * 2) + i] = (byte)(i % 200);
        }

        return packet;
    }
}
