namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// The rate at which the receiver got our packets, from acknowledged sizes and receive times: bytes are summed over
/// windows of <see cref="WindowUs"/> of receive time and each window's rate is blended into the estimate
/// (half old, half new). Receive times running backwards are counted into the current window.
/// </summary>
internal sealed class AcknowledgedBitrateEstimator
{
    /// <summary>Receive-time span of one measurement window (250 ms).</summary>
    public const long WindowUs = 250_000;

    private long _windowStartUs = long.MinValue;
    private long _windowBytes;

    /// <summary>The estimate in bits/s, 0 before the first complete window.</summary>
    public long BitrateBps { get; private set; }

    /// <summary>Adds one acknowledged packet.</summary>
    public void Add(long arrivalTimeUs, int sizeBytes)
    {
        if (_windowStartUs == long.MinValue)
        {
            _windowStartUs = arrivalTimeUs;
        }

        var span = arrivalTimeUs - _windowStartUs;
        if (span >= WindowUs)
        {
            var sample = _windowBytes * 8.0 * 1e6 / span;
            BitrateBps = BitrateBps == 0 ? (long)sample : (long)((BitrateBps + sample) / 2);
            _windowStartUs = arrivalTimeUs;
            _windowBytes = 0;
        }

        _windowBytes += Math.Max(sizeBytes, 0);
    }

    /// <summary>Starts a new window at the next packet (receive clock restarted); the estimate is kept.</summary>
    public void Restart()
    {
        _windowStartUs = long.MinValue;
        _windowBytes = 0;
    }
}
