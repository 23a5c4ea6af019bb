namespace Kvs.WebRtc.Signaling;

/// <summary>
/// How a <see cref="SignalingClient"/> reconnects after its WebSocket drops, after <c>GO_AWAY</c>, or when the
/// connection reaches <see cref="SignalingClientOptions.MaxConnectionAge"/>.
/// </summary>
/// <remarks>
/// The first attempt is immediate; attempt <c>n</c> (n ≥ 1) waits <c>min(MaxDelay, BaseDelay × 2^(n−1))</c>, shortened by
/// a random fraction of up to <see cref="JitterRatio"/> (the C SDK uses 100 ms doubling to a 10 s cap plus jitter).
/// Every attempt signs a fresh URL with fresh credentials. Immutable and thread-safe.
/// </remarks>
public sealed record SignalingReconnectPolicy
{
    /// <summary>Whether the client reconnects at all. Default true. When false a lost connection moves the client to <see cref="SignalingConnectionState.Failed"/>.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The delay before the second attempt. Default 100 ms. Must be ≥ 0.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The largest delay between attempts. Default 10 s. Must be ≥ <see cref="BaseDelay"/>.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest fraction of each delay removed at random, in [0, 1]. Default 0.5 (a delay <c>d</c> becomes a uniform
    /// value in [d/2, d]); 0 disables jitter.
    /// </summary>
    public double JitterRatio { get; init; } = 0.5;

    /// <summary>
    /// How many connection attempts one reconnect makes before giving up (the client then moves to
    /// <see cref="SignalingConnectionState.Failed"/> and queued sends fail). Default 10 (about 40 s with the default
    /// delays); use <see cref="int.MaxValue"/> to keep trying. Must be ≥ 1.
    /// </summary>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>A policy that never reconnects.</summary>
    public static SignalingReconnectPolicy Disabled { get; } = new() { Enabled = false };

    /// <summary>The delay before attempt <paramref name="attempt"/> (0-based) given a uniform random sample in [0, 1).</summary>
    internal TimeSpan GetDelay(int attempt, double random)
    {
        if (attempt <= 0)
        {
            return TimeSpan.Zero;
        }

        var exponent = Math.Min(attempt - 1, 30);
        var ticks = Math.Min((double)MaxDelay.Ticks, BaseDelay.Ticks * Math.Pow(2, exponent));
        ticks *= 1 - (JitterRatio * random);
        return TimeSpan.FromTicks((long)ticks);
    }

    internal void Validate(string paramName)
    {
        if (BaseDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(paramName, BaseDelay, "Reconnect.BaseDelay must not be negative.");
        }

        if (MaxDelay < BaseDelay)
        {
            throw new ArgumentOutOfRangeException(paramName, MaxDelay, "Reconnect.MaxDelay must be at least BaseDelay.");
        }

        if (double.IsNaN(JitterRatio) || JitterRatio is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(paramName, JitterRatio, "Reconnect.JitterRatio must be in [0, 1].");
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(paramName, MaxAttempts, "Reconnect.MaxAttempts must be at least 1.");
        }
    }
}
