namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// The delay-based rate (draft-ietf-rmcat-gcc-02 §5.5), additive-increase / multiplicative-decrease driven by the
/// over-use detector: on over-use the rate becomes β (0.85) × the acknowledged bitrate, at most once per RTT
/// (10–200 ms) unless the acknowledged bitrate fell below half the rate; on under-use it holds; otherwise it grows —
/// by <see cref="BandwidthEstimatorOptions.StartupGrowthPerSecond"/> per second during start-up (until the first
/// congestion signal), by <see cref="BandwidthEstimatorOptions.GrowthPerSecond"/> per second far from the link
/// capacity, and by about one packet per response time (RTT + 100 ms) near it. The capacity estimate is forgotten
/// when the acknowledged bitrate exceeds it by three deviations or 3 s pass without over-use, so a path that got
/// wider is found again at the multiplicative pace. Growth never takes the rate above
/// 1.5 × the acknowledged bitrate + 10 kbit/s, so an application that sends less does not inflate it.
/// </summary>
internal sealed class AimdRateController
{
    private const long MaxUpdateIntervalUs = 1_000_000;
    private const long MaxRttUs = 60_000_000;
    private const long CapacityMaxAgeUs = 3_000_000;
    private const long MinDecreaseIntervalUs = 10_000;
    private const long MaxDecreaseIntervalUs = 200_000;
    private const double Fps = 30;
    private const double MtuBits = 1200 * 8;
    private const double MinAdditiveIncreaseBpsPerSecond = 4_000;

    private readonly BandwidthEstimatorOptions _options;
    private readonly LinkCapacityEstimator _capacity = new();
    private long _lastUpdateUs = long.MinValue;
    private long _lastDecreaseUs = long.MinValue;

    /// <summary>Creates a controller starting at the options' start bitrate.</summary>
    public AimdRateController(BandwidthEstimatorOptions options)
    {
        _options = options;
        RateBps = options.StartBitrateBps;
    }

    /// <summary>The delay-based rate in bits/s.</summary>
    public long RateBps { get; private set; }

    /// <summary>True until the first decrease (over-use, or a start-up ended by <see cref="EndStartup"/>).</summary>
    public bool InStartup { get; private set; } = true;

    /// <summary>The link capacity estimate (kbit/s), −1 before the first over-use.</summary>
    public double LinkCapacityKbps => _capacity.EstimateKbps;

    /// <summary>Applies the detector state at <paramref name="nowUs"/> and returns the new rate.</summary>
    /// <param name="usage">The detector's current hypothesis.</param>
    /// <param name="ackedBps">Acknowledged (received) bitrate, 0 when not yet known.</param>
    /// <param name="rttUs">Round-trip time.</param>
    /// <param name="nowUs">Sender clock (µs).</param>
    public long Update(BandwidthUsage usage, long ackedBps, long rttUs, long nowUs)
    {
        rttUs = Math.Clamp(rttUs, 0, MaxRttUs);
        var elapsedUs = _lastUpdateUs == long.MinValue ? 0 : Math.Clamp(nowUs - _lastUpdateUs, 0, MaxUpdateIntervalUs);
        _lastUpdateUs = nowUs;
        var rate = (double)RateBps;
        switch (usage)
        {
            case BandwidthUsage.Overusing:
                var interval = Math.Clamp(rttUs, MinDecreaseIntervalUs, MaxDecreaseIntervalUs);
                if (ackedBps > 0 && (_lastDecreaseUs == long.MinValue || nowUs - _lastDecreaseUs >= interval || ackedBps < RateBps / 2))
                {
                    var ackedKbps = ackedBps / 1000.0;
                    if (_capacity.HasEstimate && ackedKbps < _capacity.LowerBoundKbps)
                    {
                        _capacity.Reset(); // the path got narrower than we thought
                    }

                    _capacity.OnOveruse(ackedKbps);
                    rate = Math.Min(rate, _options.DecreaseFactor * ackedBps);
                    _lastDecreaseUs = nowUs;
                    InStartup = false;
                }

                break;
            case BandwidthUsage.Underusing:
                break;
            default:
                if (_capacity.HasEstimate && nowUs - _lastDecreaseUs > CapacityMaxAgeUs)
                {
                    _capacity.Reset(); // no over-use for a while: the path may have widened
                }

                rate = Increase(rate, ackedBps, rttUs, elapsedUs);
                break;
        }

        RateBps = (long)Math.Clamp(rate, _options.MinBitrateBps, _options.MaxBitrateBps);
        return RateBps;
    }

    /// <summary>Ends start-up (another controller saw congestion) and caps the rate at <paramref name="capBps"/>.</summary>
    public void EndStartup(long capBps)
    {
        InStartup = false;
        RateBps = Math.Clamp(Math.Min(RateBps, capBps), _options.MinBitrateBps, _options.MaxBitrateBps);
    }

    /// <summary>Sets the rate (e.g. to follow a REMB cap) without changing the state.</summary>
    public void CapAt(long capBps) => RateBps = Math.Clamp(Math.Min(RateBps, capBps), _options.MinBitrateBps, _options.MaxBitrateBps);

    private double Increase(double rate, long ackedBps, long rttUs, long elapsedUs)
    {
        if (ackedBps <= 0 || elapsedUs <= 0)
        {
            return rate;
        }

        var seconds = elapsedUs / 1e6;
        var ackedKbps = ackedBps / 1000.0;
        if (_capacity.HasEstimate && ackedKbps > _capacity.UpperBoundKbps)
        {
            _capacity.Reset(); // well above the old capacity: the path got wider
        }

        double increased;
        if (InStartup)
        {
            increased = rate * Math.Pow(_options.StartupGrowthPerSecond, seconds);
        }
        else if (_capacity.HasEstimate)
        {
            var frameBits = rate / Fps;
            var packetsPerFrame = Math.Ceiling(frameBits / MtuBits);
            var packetBits = frameBits / Math.Max(packetsPerFrame, 1);
            var responseSeconds = (rttUs + 100_000) / 1e6;
            increased = rate + (Math.Max(MinAdditiveIncreaseBpsPerSecond, packetBits / responseSeconds) * seconds);
        }
        else
        {
            increased = rate * Math.Pow(_options.GrowthPerSecond, seconds);
        }

        var limit = (1.5 * ackedBps) + 10_000;
        return increased > limit ? Math.Max(rate, limit) : increased;
    }
}
