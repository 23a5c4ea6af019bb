namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// Impairment of one direction of a host's access link (netem-style). Applied to each packet in this order: loss, the
/// bandwidth queue (serialization delay; drop when the queue is full), propagation delay with jitter, explicit
/// reordering, duplication. Every random draw comes from the link's seeded <see cref="Random"/>.
/// </summary>
public sealed record LinkConditions
{
    /// <summary>No impairment: packets cross at once, in order.</summary>
    public static LinkConditions None { get; } = new();

    /// <summary>Probability in [0, 1] that a packet is lost.</summary>
    public double LossRate { get; init; }

    /// <summary>Fixed one-way propagation delay.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>
    /// Uniform jitter: each packet's delay is <see cref="Delay"/> plus a value in [-Jitter, +Jitter], never below zero.
    /// Jitter larger than the packet spacing reorders packets.
    /// </summary>
    public TimeSpan Jitter { get; init; }

    /// <summary>Probability in [0, 1] that a packet is held back by an extra <see cref="ReorderDelay"/> (later packets overtake it).</summary>
    public double ReorderRate { get; init; }

    /// <summary>The extra delay of a reordered packet. Default 20 ms.</summary>
    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(20);

    /// <summary>Probability in [0, 1] that a packet is delivered twice (the copy draws its own jitter).</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Bandwidth cap in bits per second; 0 means unlimited. Packets are serialized one after another.</summary>
    public long BandwidthBitsPerSecond { get; init; }

    /// <summary>With a bandwidth cap: bytes that may wait to be serialized; a packet that does not fit is dropped. Default 64 KiB.</summary>
    public int QueueLimitBytes { get; init; } = 64 * 1024;

    /// <summary>Throws <see cref="ArgumentException"/> when a value is out of range.</summary>
    public void Validate()
    {
        if (LossRate is < 0 or > 1 || ReorderRate is < 0 or > 1 || DuplicateRate is < 0 or > 1)
        {
            throw new ArgumentException("Rates must be within [0, 1].");
        }

        if (Delay < TimeSpan.Zero || Jitter < TimeSpan.Zero || ReorderDelay < TimeSpan.Zero || BandwidthBitsPerSecond < 0 || QueueLimitBytes < 0)
        {
            throw new ArgumentException("Delays, bandwidth and queue limit must not be negative.");
        }
    }
}
