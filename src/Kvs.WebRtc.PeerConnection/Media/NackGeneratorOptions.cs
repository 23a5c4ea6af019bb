namespace Kvs.WebRtc.PeerConnection.Media;

/// <summary>Timing and bounds of a <see cref="NackGenerator"/>.</summary>
internal sealed record NackGeneratorOptions
{
    /// <summary>Missing packets tracked at most; a larger gap is not NACKed but answered with a key-frame request. Default 256.</summary>
    public int MaxMissing { get; init; } = 256;

    /// <summary>How long a gap may be reordering before the first NACK. Default 5 ms.</summary>
    public TimeSpan ReorderGrace { get; init; } = TimeSpan.FromMilliseconds(5);

    /// <summary>The retry interval while the RTT is unknown. Default 50 ms.</summary>
    public TimeSpan DefaultRetryInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Lower bound of the retry interval (RTT + reorder grace). Default 20 ms.</summary>
    public TimeSpan MinRetryInterval { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Upper bound of the retry interval. Default 100 ms.</summary>
    public TimeSpan MaxRetryInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Times one packet is asked for. Default 10.</summary>
    public int MaxRetries { get; init; } = 10;

    /// <summary>A packet missing for longer is given up (and a key frame asked for). Default 500 ms.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> for values out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMissing, 1, nameof(MaxMissing));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxMissing, 4096, nameof(MaxMissing));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReorderGrace, TimeSpan.Zero, nameof(ReorderGrace));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MinRetryInterval, TimeSpan.Zero, nameof(MinRetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetryInterval, MinRetryInterval, nameof(MaxRetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultRetryInterval, MinRetryInterval, nameof(DefaultRetryInterval));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRetries, 1, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MaxAge, TimeSpan.Zero, nameof(MaxAge));
    }
}
