namespace Kvs.WebRtc.PeerConnection.Congestion;

/// <summary>
/// The rate at which the receiver got our packets, from acknowledged sizes and receive times: bytes are summed over
/// windows of <see cref="WindowUs"/> of receive time and each window's rate is blended into the estimate
/// (half old, half new). Receive times running backwards are counted into the current window. Alongside, the
/// throughput of short windows (<see cref="ShortWindowUs"/>, at least 4 packets) is kept for the last five of them:
/// <see cref="PeakBitrateBps"/> is what the path delivered while it was busy, e.g. during a key-frame burst.
/// </summary>
internal sealed class AcknowledgedBitrateEstimator
{
    /// <summary>Receive-time span of one measurement window (250 ms).</summary>
    public const long WindowUs = 250_000;

    /// <summary>Receive-time span of one short window (100 ms).</summary>
    public const long ShortWindowUs = 100_000;

    private const int ShortWindows = 5;
    private const int MinShortWindowPackets = 4;

    private readonly long[] _shortRates = new long[ShortWindows];
    private long _windowStartUs = long.MinValue;
    private long _windowBytes;
    private long _shortStartUs = long.MinValue;
    private long _shortBytes;
    private int _shortPackets;
    private int _shortNext;

    /// <summary>The estimate in bits/s, 0 before the first complete window.</summary>
    public long BitrateBps { get; private set; }

    /// <summary>The highest short-window throughput among the last five short windows (bits/s), 0 when none.</summary>
    public long PeakBitrateBps
    {
        get
        {
            long peak = 0;
            foreach (var rate in _shortRates)
            {
                peak = Math.Max(peak, rate);
            }

            return peak;
        }
    }

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
        AddShort(arrivalTimeUs, sizeBytes);
    }

    /// <summary>Starts a new window at the next packet (receive clock restarted); the estimate is kept.</summary>
    public void Restart()
    {
        _windowStartUs = long.MinValue;
        _windowBytes = 0;
        _shortStartUs = long.MinValue;
        _shortBytes = 0;
        _shortPackets = 0;
        Array.Clear(_shortRates);
    }

    private void AddShort(long arrivalTimeUs, int sizeBytes)
    {
        if (_shortStartUs == long.MinValue)
        {
            _shortStartUs = arrivalTimeUs;
        }

        var span = arrivalTimeUs - _shortStartUs;
        if (span >= ShortWindowUs)
        {
            _shortRates[_shortNext] = _shortPackets >= MinShortWindowPackets ? (long)(_shortBytes * 8.0 * 1e6 / span) : 0;
            _shortNext = (_shortNext + 1) % ShortWindows;
            _shortStartUs = arrivalTimeUs;
            _shortBytes = 0;
            _shortPackets = 0;
        }

        _shortBytes += Math.Max(sizeBytes, 0);
        _shortPackets++;
    }
}
