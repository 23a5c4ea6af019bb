namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// Delay-gradient trend (draft-ietf-rmcat-gcc-02 §5.3, as libwebrtc's trendline filter refines it): the inter-group
/// delay variations are accumulated into a one-way queuing-delay curve, smoothed exponentially, and the slope of a
/// least-squares line through the last <see cref="WindowSize"/> points (delay against arrival time) is the trend.
/// The output, <see cref="ModifiedTrend"/> = min(deltas, 60) × slope × 4, is in the unit the
/// <see cref="OveruseDetector"/> threshold uses (ms). Fixed memory, allocation-free.
/// </summary>
internal sealed class TrendlineEstimator
{
    /// <summary>Points in the regression window.</summary>
    public const int WindowSize = 20;

    private const double SmoothingCoefficient = 0.9;
    private const double ThresholdGain = 4.0;
    private const int MaxDeltaCountGain = 60;

    private readonly double[] _arrivalMs = new double[WindowSize];
    private readonly double[] _delayMs = new double[WindowSize];
    private int _points;
    private int _next;
    private bool _hasFirstArrival;
    private double _firstArrivalMs;
    private double _accumulatedDelayMs;
    private double _smoothedDelayMs;

    /// <summary>Deltas seen since the last reset (saturates at 1000).</summary>
    public int DeltaCount { get; private set; }

    /// <summary>The latest trend scaled for the detector, in ms; 0 until the window is full.</summary>
    public double ModifiedTrend { get; private set; }

    /// <summary>Adds one inter-group delay variation (arrival delta − send delta) observed at a group's arrival time; returns <see cref="ModifiedTrend"/>.</summary>
    public double Update(double delayVariationMs, double arrivalTimeMs)
    {
        if (!double.IsFinite(delayVariationMs) || !double.IsFinite(arrivalTimeMs))
        {
            return ModifiedTrend;
        }

        if (!_hasFirstArrival)
        {
            _hasFirstArrival = true;
            _firstArrivalMs = arrivalTimeMs;
        }

        DeltaCount = Math.Min(DeltaCount + 1, 1000);
        _accumulatedDelayMs += delayVariationMs;
        _smoothedDelayMs = (SmoothingCoefficient * _smoothedDelayMs) + ((1 - SmoothingCoefficient) * _accumulatedDelayMs);
        _arrivalMs[_next] = arrivalTimeMs - _firstArrivalMs;
        _delayMs[_next] = _smoothedDelayMs;
        _next = (_next + 1) % WindowSize;
        _points = Math.Min(_points + 1, WindowSize);
        if (_points == WindowSize && TrySlope(out var slope))
        {
            ModifiedTrend = Math.Min(DeltaCount, MaxDeltaCountGain) * slope * ThresholdGain;
        }

        return ModifiedTrend;
    }

    /// <summary>Forgets all history (after an arrival-time jump or a long gap).</summary>
    public void Reset()
    {
        _points = 0;
        _next = 0;
        _hasFirstArrival = false;
        _firstArrivalMs = 0;
        _accumulatedDelayMs = 0;
        _smoothedDelayMs = 0;
        DeltaCount = 0;
        ModifiedTrend = 0;
    }

    private bool TrySlope(out double slope)
    {
        double meanX = 0, meanY = 0;
        for (var i = 0; i < WindowSize; i++)
        {
            meanX += _arrivalMs[i];
            meanY += _delayMs[i];
        }

        meanX /= WindowSize;
        meanY /= WindowSize;
        double numerator = 0, denominator = 0;
        for (var i = 0; i < WindowSize; i++)
        {
            var dx = _arrivalMs[i] - meanX;
            numerator += dx * (_delayMs[i] - meanY);
            denominator += dx * dx;
        }

        slope = denominator > 0 ? numerator / denominator : 0;
        return denominator > 0 && double.IsFinite(slope);
    }
}
