namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// A token bucket that caps retransmissions at a share of what the stream sends: every media byte sent adds
/// <c>share</c> bytes of budget, and the bucket holds at most <c>share</c> × the bytes sent in the last second (at least
/// one packet's worth), so a NACK storm can never make retransmissions exceed that share of the stream, and a quiet
/// period does not bank a burst. A floor rate keeps a low-bitrate stream repairable (15 % of 40 kbit/s cannot resend a
/// lost packet of a key frame in time): over any interval the bucket fills at least at <c>minimumBytesPerSecond</c>
/// (the share's refill counts toward it), holding at most one second of it.
/// </summary>
/// <remarks>Sans-IO (time is an argument); not thread-safe (its owner locks).</remarks>
internal sealed class RetransmissionBudget
{
    private const double MinimumCapacity = 1500;
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(1);

    private readonly double _share;
    private readonly double _minimumBytesPerSecond;
    private TimeSpan _lastRefill;
    private double _shareRefillSinceLast;
    private double _tokens;
    private long _bytesThisWindow;
    private long _bytesLastWindow;
    private TimeSpan _windowStart;
    private bool _started;

    /// <summary>
    /// Creates a budget of <paramref name="share"/> (0–1) of the media bytes sent, and at least
    /// <paramref name="minimumBytesPerSecond"/> whatever the stream's rate.
    /// </summary>
    public RetransmissionBudget(double share, double minimumBytesPerSecond = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(share);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(share, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(minimumBytesPerSecond);
        _share = share;
        _minimumBytesPerSecond = minimumBytesPerSecond;
    }

    /// <summary>The bytes that may be retransmitted now.</summary>
    public double Tokens => _tokens;

    /// <summary>Media (not retransmitted) bytes were sent.</summary>
    public void OnMediaSent(long bytes, TimeSpan now)
    {
        Roll(now);
        _bytesThisWindow += bytes;
        _shareRefillSinceLast += _share * bytes;
        _tokens = Math.Min(_tokens + (_share * bytes), Capacity());
    }

    /// <summary>Takes <paramref name="bytes"/> from the bucket when it holds them.</summary>
    public bool TryTake(int bytes, TimeSpan now)
    {
        Roll(now);
        _tokens = Math.Min(_tokens, Capacity());
        if (_tokens < bytes)
        {
            return false;
        }

        _tokens -= bytes;
        return true;
    }

    private double Capacity() =>
        Math.Max(Math.Max(MinimumCapacity, _minimumBytesPerSecond), _share * Math.Max(_bytesThisWindow, _bytesLastWindow));

    private void Roll(TimeSpan now)
    {
        if (!_started)
        {
            _started = true;
            _windowStart = now;
            _lastRefill = now;
            return;
        }

        if (_minimumBytesPerSecond > 0 && now > _lastRefill)
        {
            // Top up to the floor: what the share already added since the last refill counts toward it.
            var floor = _minimumBytesPerSecond * (now - _lastRefill).TotalSeconds;
            if (floor > _shareRefillSinceLast)
            {
                _tokens = Math.Min(_tokens + (floor - _shareRefillSinceLast), Capacity());
            }

            _shareRefillSinceLast = 0;
            _lastRefill = now;
        }

        var elapsed = now - _windowStart;
        if (elapsed < s_window)
        {
            return;
        }

        _bytesLastWindow = elapsed < s_window * 2 ? _bytesThisWindow : 0;
        _bytesThisWindow = 0;
        _windowStart = now;
    }
}
