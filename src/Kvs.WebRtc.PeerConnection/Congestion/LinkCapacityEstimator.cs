namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// The link capacity as the AIMD controller sees it (draft-ietf-rmcat-gcc-02 §5.5): an exponential average of the
/// acknowledged bitrate at the moments over-use was detected, with a normalised variance, so that "near the
/// capacity" (additive increase) can be told from "far from it" (multiplicative increase). Values in kbit/s.
/// </summary>
internal sealed class LinkCapacityEstimator
{
    private const double Alpha = 0.05;
    private const double MinVariance = 0.4;
    private const double MaxVariance = 2.5;

    private double _estimateKbps = -1;
    private double _variance = MinVariance;

    /// <summary>True once over-use has been seen at least once since the last reset.</summary>
    public bool HasEstimate => _estimateKbps >= 0;

    /// <summary>The estimate in kbit/s (−1 when none).</summary>
    public double EstimateKbps => _estimateKbps;

    /// <summary>Three standard deviations above the estimate (kbit/s).</summary>
    public double UpperBoundKbps => HasEstimate ? _estimateKbps + (3 * Deviation) : double.PositiveInfinity;

    /// <summary>Three standard deviations below the estimate (kbit/s).</summary>
    public double LowerBoundKbps => HasEstimate ? Math.Max(0, _estimateKbps - (3 * Deviation)) : 0;

    private double Deviation => Math.Sqrt(_variance * Math.Max(_estimateKbps, 1));

    /// <summary>Adds the acknowledged bitrate measured when over-use was detected.</summary>
    public void OnOveruse(double ackedKbps)
    {
        if (!double.IsFinite(ackedKbps) || ackedKbps < 0)
        {
            return;
        }

        if (!HasEstimate)
        {
            _estimateKbps = ackedKbps;
            return;
        }

        _estimateKbps = ((1 - Alpha) * _estimateKbps) + (Alpha * ackedKbps);
        var error = _estimateKbps - ackedKbps;
        _variance = Math.Clamp(((1 - Alpha) * _variance) + (Alpha * error * error / Math.Max(_estimateKbps, 1)), MinVariance, MaxVariance);
    }

    /// <summary>Forgets the estimate (the path changed).</summary>
    public void Reset()
    {
        _estimateKbps = -1;
        _variance = MinVariance;
    }
}
