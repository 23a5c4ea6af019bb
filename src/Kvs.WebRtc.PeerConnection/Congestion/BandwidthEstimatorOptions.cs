namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>Limits and tuning of a <see cref="SendSideBandwidthEstimator"/>; the defaults suit one video plus audio.</summary>
internal sealed class BandwidthEstimatorOptions
{
    /// <summary>The target before any feedback, in bits/s. Default 300,000 (what browsers start with).</summary>
    public long StartBitrateBps { get; init; } = 300_000;

    /// <summary>The target never goes below this, in bits/s. Default 30,000.</summary>
    public long MinBitrateBps { get; init; } = 30_000;

    /// <summary>The target never goes above this, in bits/s. Default 10,000,000.</summary>
    public long MaxBitrateBps { get; init; } = 10_000_000;

    /// <summary>
    /// Growth per second during start-up: from the start until the first congestion signal (delay overuse or loss
    /// above <see cref="HighLossFraction"/>) the target is multiplied by this factor per second of feedback (capped by
    /// 1.5 × the acknowledged bitrate), so 300 kbit/s reaches 4 Mbit/s in about 4 s. Default 2.0; 1.08 turns start-up off.
    /// </summary>
    public double StartupGrowthPerSecond { get; init; } = 2.0;

    /// <summary>Growth per second far from the estimated link capacity after start-up. Default 1.08 (GCC).</summary>
    public double GrowthPerSecond { get; init; } = 1.08;

    /// <summary>On delay overuse the target becomes this × the acknowledged bitrate. Default 0.85 (GCC β).</summary>
    public double DecreaseFactor { get; init; } = 0.85;

    /// <summary>Loss fraction above which the loss-based bound decreases. Default 0.10.</summary>
    public double HighLossFraction { get; init; } = 0.10;

    /// <summary>Loss fraction below which the loss-based bound may grow again. Default 0.02.</summary>
    public double LowLossFraction { get; init; } = 0.02;

    /// <summary>
    /// Smallest relative change of the target that <see cref="SendSideBandwidthEstimator.TryTakeChange"/> reports
    /// (changes accumulate until they reach it). Default 0.01 (1 %).
    /// </summary>
    public double ReportedChangeFraction { get; init; } = 0.01;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MinBitrateBps, 1000, nameof(MinBitrateBps));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBitrateBps, MinBitrateBps, nameof(MaxBitrateBps));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxBitrateBps, 100_000_000_000, nameof(MaxBitrateBps));
        ArgumentOutOfRangeException.ThrowIfLessThan(StartBitrateBps, MinBitrateBps, nameof(StartBitrateBps));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(StartBitrateBps, MaxBitrateBps, nameof(StartBitrateBps));
        ThrowIfOutside(StartupGrowthPerSecond, 1.0, 4.0, nameof(StartupGrowthPerSecond));
        ThrowIfOutside(GrowthPerSecond, 1.0, 2.0, nameof(GrowthPerSecond));
        ThrowIfOutside(DecreaseFactor, 0.5, 0.99, nameof(DecreaseFactor));
        ThrowIfOutside(HighLossFraction, 0.0, 1.0, nameof(HighLossFraction));
        ThrowIfOutside(LowLossFraction, 0.0, HighLossFraction, nameof(LowLossFraction));
        ThrowIfOutside(ReportedChangeFraction, 0.0, 0.5, nameof(ReportedChangeFraction));
    }

    private static void ThrowIfOutside(double value, double min, double max, string name)
    {
        if (!(value >= min && value <= max))
        {
            throw new ArgumentOutOfRangeException(name, value, $"must be in [{min}, {max}]");
        }
    }
}
