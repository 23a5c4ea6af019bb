namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// One direction of a host's access link (host → network or network → host) with its <see cref="LinkConditions"/>,
/// its own seeded <see cref="Random"/> and its counters. Guarded by the network's lock.
/// </summary>
internal sealed class VirtualLink
{
    private readonly VirtualNetwork _network;
    private readonly Random _random;
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private LinkConditions _conditions = LinkConditions.None;
    private long _busyUntil;
    private long _sent;
    private long _delivered;
    private long _duplicated;
    private long _reordered;

    internal VirtualLink(VirtualNetwork network, string name, int seed)
    {
        _network = network;
        Name = name;
        _random = new Random(seed);
    }

    /// <summary>For diagnostics, e.g. <c>alice↑</c>.</summary>
    public string Name { get; }

    /// <summary>The impairment; may be changed at any time (applies to packets offered afterwards).</summary>
    public LinkConditions Conditions
    {
        get
        {
            lock (_network.Gate)
            {
                return _conditions;
            }
        }

        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            lock (_network.Gate)
            {
                _conditions = value;
            }
        }
    }

    /// <summary>A snapshot of the counters.</summary>
    public LinkCounters Counters
    {
        get
        {
            lock (_network.Gate)
            {
                return new LinkCounters(_sent, _delivered, _duplicated, _reordered, [.. _dropped]);
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    // Under the network lock. Fills the arrival times (ticks) of the copies that survive: 0, 1 or 2 (duplicate).
    internal int Offer(long now, int size, Span<long> arrivals, out DropReason reason)
    {
        var c = _conditions;
        _sent++;
        reason = default;
        if (c.LossRate > 0 && _random.NextDouble() < c.LossRate)
        {
            reason = DropReason.Loss;
            _dropped[(int)reason]++;
            return 0;
        }

        var departure = now;
        if (c.BandwidthBitsPerSecond > 0)
        {
            var start = Math.Max(now, _busyUntil);
            var backlogBytes = (start - now) / (double)TimeSpan.TicksPerSecond * c.BandwidthBitsPerSecond / 8;
            if (backlogBytes + size > c.QueueLimitBytes)
            {
                reason = DropReason.QueueFull;
                _dropped[(int)reason]++;
                return 0;
            }

            _busyUntil = start + (long)Math.Ceiling(size * 8.0 * TimeSpan.TicksPerSecond / c.BandwidthBitsPerSecond);
            departure = _busyUntil;
        }

        arrivals[0] = departure + NextDelay(c);
        if (c.ReorderRate > 0 && _random.NextDouble() < c.ReorderRate)
        {
            arrivals[0] += c.ReorderDelay.Ticks;
            _reordered++;
        }

        if (c.DuplicateRate > 0 && _random.NextDouble() < c.DuplicateRate)
        {
            arrivals[1] = departure + NextDelay(c);
            _duplicated++;
            return 2;
        }

        return 1;
    }

    // Under the network lock: a packet left the link.
    internal void CountDelivered() => _delivered++;

    private long NextDelay(LinkConditions c)
    {
        var delay = c.Delay.Ticks;
        if (c.Jitter > TimeSpan.Zero)
        {
            delay += (long)(((2 * _random.NextDouble()) - 1) * c.Jitter.Ticks);
        }

        return Math.Max(0, delay);
    }
}
