namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>
/// The W3C inter-frame and freeze counters of the frames a receiver hands on (webrtc-stats <c>totalInterFrameDelay</c>,
/// <c>totalSquaredInterFrameDelay</c>, <c>freezeCount</c>, <c>totalFreezesDuration</c>): a freeze is an inter-frame delay
/// longer than max(3 × avg, avg + 150 ms), avg being the mean of the last 30 inter-frame delays. Sans-IO (time is an
/// argument), no allocation after construction, single-threaded.
/// </summary>
internal sealed class InterFrameDelayStatistics
{
    private const int Window = 30;
    private static readonly TimeSpan s_freezeMargin = TimeSpan.FromMilliseconds(150);

    private readonly TimeSpan[] _recent = new TimeSpan[Window];
    private int _recentCount;
    private int _recentNext;
    private TimeSpan _recentSum;
    private TimeSpan? _last;

    /// <summary>Frames seen.</summary>
    public long Frames { get; private set; }

    /// <summary>Sum of the delays between consecutive frames, in seconds.</summary>
    public double TotalInterFrameDelay { get; private set; }

    /// <summary>Sum of the squared delays between consecutive frames, in seconds².</summary>
    public double TotalSquaredInterFrameDelay { get; private set; }

    /// <summary>Freezes seen.</summary>
    public long FreezeCount { get; private set; }

    /// <summary>Sum of the freezes' inter-frame delays, in seconds.</summary>
    public double TotalFreezesDuration { get; private set; }

    /// <summary>The longest delay between consecutive frames seen.</summary>
    public TimeSpan MaxInterFrameDelay { get; private set; }

    /// <summary>A frame was handed on at <paramref name="now"/>.</summary>
    public void OnFrame(TimeSpan now)
    {
        Frames++;
        if (_last is not { } last)
        {
            _last = now;
            return;
        }

        _last = now;
        var delay = now > last ? now - last : TimeSpan.Zero;
        var seconds = delay.TotalSeconds;
        TotalInterFrameDelay += seconds;
        TotalSquaredInterFrameDelay += seconds * seconds;
        if (delay > MaxInterFrameDelay)
        {
            MaxInterFrameDelay = delay;
        }

        if (_recentCount > 0)
        {
            var average = _recentSum / _recentCount;
            var threshold = average * 3 > average + s_freezeMargin ? average * 3 : average + s_freezeMargin;
            if (delay > threshold)
            {
                FreezeCount++;
                TotalFreezesDuration += seconds;
            }
        }

        if (_recentCount == Window)
        {
            _recentSum -= _recent[_recentNext];
        }
        else
        {
            _recentCount++;
        }

        _recent[_recentNext] = delay;
        _recentSum += delay;
        _recentNext = (_recentNext + 1) % Window;
    }
}
