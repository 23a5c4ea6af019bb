using System.Globalization;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

public sealed partial class SendSideBandwidthEstimatorTests
{
    private const long Second = 1_000_000;

    [Test]
    public void Simulation_Bottleneck1500k_SettlesWithin20PercentIn10sWithoutQueueGrowth()
    {
        var link = new SimulatedBottleneck(1_500_000, bufferBytes: 200_000, propagationUs: 25_000, jitterUs: 1_000, seed: 11);
        var sim = new CongestionSimulation(link, returnDelayUs: 25_000);

        sim.Run(20 * Second);

        Print(sim);
        var settled = SettleTime(sim.Samples, 1_500_000, 0.2);
        TestContext.Out.WriteLine(FormattableString.Invariant($"settled within 20 % of 1.5 Mbit/s after {settled / 1e6:F1} s (simulated)"));
        Assert.That(settled, Is.LessThan(10 * Second), "settle time");
        var late = sim.Samples.Where(s => s.TimeUs >= 10 * Second).ToList();
        Assert.That(late.Max(s => s.QueueDelayUs), Is.LessThan(300_000), "bottleneck queue stays bounded");
        Assert.That(late.TakeLast(20).Average(s => s.QueueDelayUs), Is.LessThan(100_000), "no persistent queue");
        Assert.That(link.QueueDrops, Is.Zero, "no loss at the bottleneck");
    }

    [Test]
    public void Simulation_Bottleneck1500kWithKeyFramesEvery2s_SettlesAndPacerKeepsTheQueueShort()
    {
        var link = new SimulatedBottleneck(1_500_000, bufferBytes: 200_000, propagationUs: 25_000, jitterUs: 1_000, seed: 16);
        var sim = new CongestionSimulation(link, returnDelayUs: 25_000, keyFrameIntervalUs: 2 * Second);

        sim.Run(20 * Second);

        Print(sim);
        var settled = SettleTime(sim.Samples, 1_500_000, 0.2);
        TestContext.Out.WriteLine(FormattableString.Invariant($"with key frames: settled within 20 % of 1.5 Mbit/s after {settled / 1e6:F1} s (simulated); pacer dropped {sim.Pacer.DroppedPackets}"));
        Assert.That(settled, Is.LessThan(10 * Second), "settle time");
        Assert.That(sim.Samples.Where(s => s.TimeUs >= 10 * Second).Max(s => s.QueueDelayUs), Is.LessThan(300_000));
        Assert.That(sim.Pacer.DroppedPackets, Is.Zero);
    }

    [Test]
    public void Simulation_CapLiftedTo5M_EstimateRisesAgain()
    {
        var link = new SimulatedBottleneck(1_500_000, bufferBytes: 200_000, propagationUs: 25_000, jitterUs: 1_000, seed: 12);
        var sim = new CongestionSimulation(link, returnDelayUs: 25_000);
        sim.Run(15 * Second);
        var before = sim.Estimator.TargetBitrateBps;

        link.CapacityBps = 5_000_000;
        sim.Run(40 * Second);

        Print(sim);
        var after = sim.Samples.Where(s => s.TimeUs > 15 * Second).ToList();
        var risen = after.First(s => s.TargetBps >= 3_000_000).TimeUs - (15 * Second);
        TestContext.Out.WriteLine(FormattableString.Invariant($"before lift {before} bit/s; above 3 Mbit/s {risen / 1e6:F1} s after the lift"));
        Assert.That(before, Is.LessThan(1_800_000));
        Assert.That(after.First(s => s.TimeUs >= 18 * Second).TargetBps, Is.GreaterThan(before), "rises at once (additively near the old capacity)");
        Assert.That(risen, Is.LessThan(15 * Second), "then multiplicatively once the old capacity is forgotten");
        Assert.That(after.TakeLast(50).Average(s => s.TargetBps), Is.InRange(3_500_000, 5_500_000));
    }

    [Test]
    public void Simulation_OpenLink4M_RampsUpFromStartWithinSeconds()
    {
        var link = new SimulatedBottleneck(4_000_000, bufferBytes: 300_000, propagationUs: 20_000, jitterUs: 500, seed: 13);
        var sim = new CongestionSimulation(link, returnDelayUs: 20_000);

        sim.Run(15 * Second);

        Print(sim);
        var reached = sim.Samples.First(s => s.TargetBps >= 3_200_000).TimeUs;
        TestContext.Out.WriteLine(FormattableString.Invariant($"300 kbit/s -> 80 % of a 4 Mbit/s link in {reached / 1e6:F1} s (simulated)"));
        Assert.That(reached, Is.LessThan(6 * Second));
        Assert.That(sim.Samples.Where(s => s.TimeUs >= 8 * Second).Average(s => s.TargetBps), Is.InRange(3_200_000, 4_800_000));
    }

    [Test]
    public void Simulation_RandomLoss5PercentWithoutCongestion_RateDoesNotCollapse()
    {
        var link = new SimulatedBottleneck(50_000_000, bufferBytes: 1_000_000, propagationUs: 20_000, randomLoss: 0.05, jitterUs: 500, seed: 14);
        var sim = new CongestionSimulation(link, returnDelayUs: 20_000);

        sim.Run(20 * Second);

        Print(sim);
        Assert.That(sim.Samples.Min(s => s.TargetBps), Is.GreaterThanOrEqualTo(300_000), "never below the start");
        Assert.That(sim.Estimator.TargetBitrateBps, Is.GreaterThan(3_000_000), "still grows");
        Assert.That(sim.Estimator.LossFraction, Is.InRange(0.01, 0.10));
    }

    [Test]
    public void Simulation_RandomLoss25Percent_LossBasedBoundCutsTheRate()
    {
        var link = new SimulatedBottleneck(50_000_000, bufferBytes: 1_000_000, propagationUs: 20_000, randomLoss: 0, seed: 15);
        var sim = new CongestionSimulation(link, returnDelayUs: 20_000);
        sim.Run(5 * Second);
        var before = sim.Estimator.TargetBitrateBps;

        link.RandomLoss = 0.25;
        sim.Run(10 * Second);

        Print(sim);
        Assert.That(sim.Estimator.TargetBitrateBps, Is.LessThan(before / 2));
        Assert.That(sim.Estimator.LossBasedBoundBps, Is.EqualTo(sim.Estimator.TargetBitrateBps));
    }

    private static long SettleTime(List<CongestionSample> samples, long capacity, double tolerance)
    {
        // The first time after which every later sample stays within the band.
        var settled = long.MaxValue;
        for (var i = samples.Count - 1; i >= 0; i--)
        {
            if (Math.Abs(samples[i].TargetBps - capacity) > capacity * tolerance)
            {
                break;
            }

            settled = samples[i].TimeUs;
        }

        return settled;
    }

    private static void Print(CongestionSimulation sim)
    {
        foreach (var s in sim.Samples.Where(s => s.TimeUs % (500_000) < 100_000))
        {
            TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.TimeUs / 1e6,6:F1} s  target {s.TargetBps / 1000,6} kbit/s  queue {s.QueueDelayUs / 1000,5} ms  pacer {s.PacerQueueUs / 1000,5} ms"));
        }
    }
}
