namespace Kvs.WebRtc.PeerConnection.Tests.Congestion;

/// <summary>
/// A deterministic bottleneck link for congestion tests: a drop-tail FIFO with a service rate and a buffer in bytes,
/// then a propagation delay with seeded jitter; seeded random loss before the queue. Maps a send time to an arrival
/// time (or a loss).
/// </summary>
internal sealed class SimulatedBottleneck(long capacityBps, int bufferBytes, long propagationUs, double randomLoss = 0, long jitterUs = 0, int seed = 1)
{
    private readonly Random _random = new(seed);
    private long _busyUntilUs;

    /// <summary>Service rate in bits/s; may change during a run.</summary>
    public long CapacityBps { get; set; } = capacityBps;

    /// <summary>Random loss probability (0–1); may change during a run.</summary>
    public double RandomLoss { get; set; } = randomLoss;

    /// <summary>Packets lost at random.</summary>
    public int RandomDrops { get; private set; }

    /// <summary>Packets dropped because the queue was full.</summary>
    public int QueueDrops { get; private set; }

    /// <summary>Packets offered.</summary>
    public int Offered { get; private set; }

    /// <summary>The queuing delay a packet sent at <paramref name="nowUs"/> would see.</summary>
    public long QueueDelayUs(long nowUs) => Math.Max(0, _busyUntilUs - nowUs);

    /// <summary>Sends one packet; false when it is lost, otherwise its arrival time.</summary>
    public bool TrySend(int sizeBytes, long sendUs, out long arrivalUs)
    {
        Offered++;
        arrivalUs = 0;
        var jitter = jitterUs > 0 ? _random.NextInt64(jitterUs + 1) : 0;
        if (_random.NextDouble() < RandomLoss)
        {
            RandomDrops++;
            return false;
        }

        var start = Math.Max(sendUs, _busyUntilUs);
        var backlogBytes = (start - sendUs) * CapacityBps / 8_000_000;
        if (backlogBytes + sizeBytes > bufferBytes)
        {
            QueueDrops++;
            return false;
        }

        _busyUntilUs = start + (sizeBytes * 8_000_000L / CapacityBps);
        arrivalUs = _busyUntilUs + propagationUs + jitter;
        return true;
    }
}
