namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// The loss-based bound on the target (draft-ietf-rmcat-gcc-02 §6): above <see cref="BandwidthEstimatorOptions.HighLossFraction"/>
/// (10 %) loss the bound becomes min(bound, target) × (1 − 0.5 × loss), at most once per 300 ms + RTT; below
/// <see cref="BandwidthEstimatorOptions.LowLossFraction"/> (2 %) it grows by 8 % per second; in between it holds.
/// The bound starts unconstrained (the maximum bitrate): steady random loss that never crossed the high threshold
/// leaves the rate to the delay-based controller instead of pinning it at the start bitrate.
/// </summary>
internal sealed class LossBasedController
{
    private const long DecreaseIntervalUs = 300_000;
    private const long MaxUpdateIntervalUs = 1_000_000;
    private const double GrowthPerSecond = 1.08;
    private const long MaxRttUs = 60_000_000;

    private readonly BandwidthEstimatorOptions _options;
    private long _lastUpdateUs = long.MinValue;
    private long _lastDecreaseUs = long.MinValue;

    /// <summary>Creates an unconstrained controller.</summary>
    public LossBasedController(BandwidthEstimatorOptions options)
    {
        _options = options;
        BoundBps = options.MaxBitrateBps;
    }

    /// <summary>The bound in bits/s (the maximum bitrate while unconstrained).</summary>
    public long BoundBps { get; private set; }

    /// <summary>The last loss fraction given (0–1).</summary>
    public double LossFraction { get; private set; }

    /// <summary>True when the last update lowered the bound.</summary>
    public bool LastUpdateDecreased { get; private set; }

    /// <summary>Applies a loss fraction measured over the last interval; returns the bound.</summary>
    /// <param name="lossFraction">Lost / expected over the interval, 0–1 (clamped).</param>
    /// <param name="targetBps">The current combined target.</param>
    /// <param name="rttUs">Round-trip time.</param>
    /// <param name="nowUs">Sender clock (µs).</param>
    public long Update(double lossFraction, long targetBps, long rttUs, long nowUs)
    {
        lossFraction = double.IsFinite(lossFraction) ? Math.Clamp(lossFraction, 0, 1) : 0;
        LossFraction = lossFraction;
        LastUpdateDecreased = false;
        var elapsedUs = _lastUpdateUs == long.MinValue ? 0 : Math.Clamp(nowUs - _lastUpdateUs, 0, MaxUpdateIntervalUs);
        _lastUpdateUs = nowUs;
        if (lossFraction > _options.HighLossFraction)
        {
            if (_lastDecreaseUs == long.MinValue || nowUs - _lastDecreaseUs >= DecreaseIntervalUs + Math.Clamp(rttUs, 0, MaxRttUs))
            {
                var decreased = Math.Min(BoundBps, targetBps) * (1 - (0.5 * lossFraction));
                BoundBps = (long)Math.Clamp(decreased, _options.MinBitrateBps, _options.MaxBitrateBps);
                _lastDecreaseUs = nowUs;
                LastUpdateDecreased = true;
            }
        }
        else if (lossFraction < _options.LowLossFraction && BoundBps < _options.MaxBitrateBps)
        {
            var grown = (BoundBps * Math.Pow(GrowthPerSecond, elapsedUs / 1e6)) + 1000;
            BoundBps = (long)Math.Min(grown, _options.MaxBitrateBps);
        }

        return BoundBps;
    }
}
