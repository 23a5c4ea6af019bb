namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// Over-use detector with an adaptive threshold (draft-ietf-rmcat-gcc-02 §5.4–5.5): the trend is compared with ±γ;
/// over-use is signalled only when the trend stays above γ for more than 10 ms of send time over at least two
/// updates and is not falling; γ follows |trend| slowly upwards (k_u = 0.0087/ms) and faster downwards
/// (k_d = 0.039/ms), clamped to 6–600 ms, and ignores outliers more than 15 ms above it so that one spike does not
/// desensitise it. Time is the arrival time of the group (ms), an argument.
/// </summary>
internal sealed class OveruseDetector
{
    private const double InitialThresholdMs = 12.5;
    private const double MinThresholdMs = 6;
    private const double MaxThresholdMs = 600;
    private const double UpGain = 0.0087;
    private const double DownGain = 0.039;
    private const double MaxAdaptOffsetMs = 15;
    private const double MaxTimeDeltaMs = 100;
    private const double OverusingTimeThresholdMs = 10;

    private double _lastThresholdUpdateMs = double.NaN;
    private double _timeOverUsingMs = -1;
    private int _overuseCounter;
    private double _previousTrend;

    /// <summary>The current threshold γ in ms.</summary>
    public double ThresholdMs { get; private set; } = InitialThresholdMs;

    /// <summary>The current hypothesis.</summary>
    public BandwidthUsage State { get; private set; } = BandwidthUsage.Normal;

    /// <summary>Updates the hypothesis with a new modified trend.</summary>
    /// <param name="modifiedTrend">The trendline output (ms).</param>
    /// <param name="sendDeltaMs">Send-time distance between the two groups the trend was last updated with.</param>
    /// <param name="deltaCount">Deltas the trend is based on; fewer than 2 keeps the state Normal.</param>
    /// <param name="arrivalTimeMs">Arrival time of the group (receiver clock, ms).</param>
    public BandwidthUsage Detect(double modifiedTrend, double sendDeltaMs, int deltaCount, double arrivalTimeMs)
    {
        if (deltaCount < 2 || !double.IsFinite(modifiedTrend))
        {
            return State = BandwidthUsage.Normal;
        }

        if (modifiedTrend > ThresholdMs)
        {
            _timeOverUsingMs = _timeOverUsingMs < 0 ? sendDeltaMs / 2 : _timeOverUsingMs + sendDeltaMs;
            _overuseCounter++;
            if (_timeOverUsingMs > OverusingTimeThresholdMs && _overuseCounter > 1 && modifiedTrend >= _previousTrend)
            {
                _timeOverUsingMs = 0;
                _overuseCounter = 0;
                State = BandwidthUsage.Overusing;
            }
        }
        else if (modifiedTrend < -ThresholdMs)
        {
            _timeOverUsingMs = -1;
            _overuseCounter = 0;
            State = BandwidthUsage.Underusing;
        }
        else
        {
            _timeOverUsingMs = -1;
            _overuseCounter = 0;
            State = BandwidthUsage.Normal;
        }

        _previousTrend = modifiedTrend;
        UpdateThreshold(modifiedTrend, arrivalTimeMs);
        return State;
    }

    /// <summary>Back to the initial threshold and a Normal state.</summary>
    public void Reset()
    {
        _lastThresholdUpdateMs = double.NaN;
        _timeOverUsingMs = -1;
        _overuseCounter = 0;
        _previousTrend = 0;
        ThresholdMs = InitialThresholdMs;
        State = BandwidthUsage.Normal;
    }

    private void UpdateThreshold(double modifiedTrend, double nowMs)
    {
        if (double.IsNaN(_lastThresholdUpdateMs))
        {
            _lastThresholdUpdateMs = nowMs;
        }

        var magnitude = Math.Abs(modifiedTrend);
        if (magnitude > ThresholdMs + MaxAdaptOffsetMs)
        {
            _lastThresholdUpdateMs = nowMs;
            return;
        }

        var gain = magnitude < ThresholdMs ? DownGain : UpGain;
        var elapsed = Math.Clamp(nowMs - _lastThresholdUpdateMs, 0, MaxTimeDeltaMs);
        ThresholdMs = Math.Clamp(ThresholdMs + (gain * (magnitude - ThresholdMs) * elapsed), MinThresholdMs, MaxThresholdMs);
        _lastThresholdUpdateMs = nowMs;
    }
}
