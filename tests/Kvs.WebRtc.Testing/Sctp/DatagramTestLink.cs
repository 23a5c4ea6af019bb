using Kvs.WebRtc.PeerConnection;

namespace Kvs.WebRtc.Testing.Sctp;

/// <summary>
/// Two sans-IO datagram cores (<see cref="IDatagramCore"/>) wired back to back in memory with a manual clock, a
/// one-way latency and seeded impairment (loss, duplication, reordering, rewrite, filter). <see cref="Pump"/> always
/// jumps to the next packet arrival or timer, so tests run faster than real time and are deterministic per seed.
/// </summary>
/// <typeparam name="TCore">The core type on both ends.</typeparam>
internal abstract class DatagramTestLink<TCore>
    where TCore : class, IDatagramCore
{
    private readonly Random _random;
    private readonly List<(TimeSpan At, long Order, bool ToB, byte[] Packet)> _wire = [];
    private readonly byte[] _buffer = new byte[65536];
    private readonly object _gate = new();
    private readonly bool _drawEveryImpairment;
    private long _order;
    private long _nowTicks;

    /// <param name="start">Initial clock value.</param>
    /// <param name="seed">Seeds every impairment draw.</param>
    /// <param name="drawEveryImpairment">
    /// Draw the reorder and duplicate randoms for every packet even when their rates are zero (keeps the loss pattern
    /// a seed gives the same as when those impairments are turned on).
    /// </param>
    protected DatagramTestLink(TimeSpan start, int seed, bool drawEveryImpairment)
    {
        _random = new Random(seed);
        _nowTicks = start.Ticks;
        _drawEveryImpairment = drawEveryImpairment;
    }

    /// <summary>The first end.</summary>
    public TCore A { get; protected init; } = null!;

    /// <summary>The second end.</summary>
    public TCore B { get; protected init; } = null!;

    /// <summary>The manual clock (readable from any thread, e.g. as a core's clock callback).</summary>
    public TimeSpan Now
    {
        get => new(Interlocked.Read(ref _nowTicks));
        private set => Interlocked.Exchange(ref _nowTicks, value.Ticks);
    }

    /// <summary>One-way delay of every packet.</summary>
    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Probability that a packet is lost.</summary>
    public double LossRate { get; set; }

    /// <summary>Probability that a packet arrives twice.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Probability that a packet is held back 1-19 ms (so it may overtake or be overtaken).</summary>
    public double ReorderRate { get; set; }

    /// <summary>Return true to drop a packet (fromA, packet).</summary>
    public Func<bool, byte[], bool>? Filter { get; set; }

    /// <summary>Optional packet rewrite (fromA, packet) applied before impairment.</summary>
    public Func<bool, byte[], byte[]>? Rewrite { get; set; }

    /// <summary>Packets handed to a core so far.</summary>
    public int PacketsCarried { get; private set; }

    /// <summary>Simulated time <see cref="Pump"/> runs at most when not told otherwise.</summary>
    protected virtual TimeSpan DefaultMaxTime => TimeSpan.FromMinutes(30);

    /// <summary>Steps <see cref="Pump"/> runs at most when not told otherwise.</summary>
    protected virtual int DefaultMaxSteps => 1_000_000;

    /// <summary>
    /// How many 5 ms real-time waits <see cref="Pump"/> allows when nothing is scheduled (other threads may still
    /// queue work, e.g. async continuations); zero to stop at once.
    /// </summary>
    protected virtual int IdleWaits => 0;

    /// <summary>
    /// Runs until <paramref name="until"/> holds, nothing is left to do, <paramref name="maxTime"/> of simulated time
    /// passed or <paramref name="maxSteps"/> steps ran; returns whether the condition held.
    /// </summary>
    public bool Pump(Func<bool> until, TimeSpan? maxTime = null, int? maxSteps = null)
    {
        ArgumentNullException.ThrowIfNull(until);
        var deadline = Now + (maxTime ?? DefaultMaxTime);
        var steps = maxSteps ?? DefaultMaxSteps;
        var idle = 0;
        for (var step = 0; step < steps; step++)
        {
            Drain();
            if (until())
            {
                return true;
            }

            TimeSpan? next = null;
            foreach (var w in _wire)
            {
                if (next is null || w.At < next)
                {
                    next = w.At;
                }
            }

            Earliest(ref next, A.NextTimeout);
            Earliest(ref next, B.NextTimeout);
            if (next is null)
            {
                if (++idle > IdleWaits)
                {
                    return until();
                }

                Thread.Sleep(5);
                continue;
            }

            if (next > deadline)
            {
                return until();
            }

            if (next > Now)
            {
                Now = next.Value;
            }

            var now = Now;
            var due = _wire.Where(w => w.At <= now).OrderBy(w => w.At).ThenBy(w => w.Order).ToList();
            _wire.RemoveAll(w => w.At <= now);
            foreach (var (_, _, toB, packet) in due)
            {
                PacketsCarried++;
                (toB ? B : A).HandleInput(packet, now);
            }

            if (A.NextTimeout <= now)
            {
                A.HandleTimeout(now);
            }

            if (B.NextTimeout <= now)
            {
                B.HandleTimeout(now);
            }
        }

        return until();
    }

    /// <summary>Moves every waiting event and packet out of both cores (packets onto the wire).</summary>
    public void Drain()
    {
        lock (_gate)
        {
            var again = true;
            while (again)
            {
                again = false;
                again |= DrainEvents(true);
                again |= DrainEvents(false);
                again |= DrainTransmit(A, true);
                again |= DrainTransmit(B, false);
            }
        }
    }

    /// <summary>Advances the clock by <paramref name="span"/>, running timers and deliveries on the way.</summary>
    public void Advance(TimeSpan span)
    {
        var end = Now + span;
        Pump(() => false, maxTime: span);
        if (Now < end)
        {
            Now = end;
            A.HandleTimeout(end);
            B.HandleTimeout(end);
            Drain();
        }
    }

    /// <summary>Takes the events of one end (<paramref name="ofA"/>); true when there were any.</summary>
    protected virtual bool DrainEvents(bool ofA) => false;

    private static void Earliest(ref TimeSpan? current, TimeSpan? candidate)
    {
        if (candidate is { } c && (current is null || c < current.Value))
        {
            current = c;
        }
    }

    private bool DrainTransmit(TCore from, bool fromA)
    {
        var any = false;
        var now = Now;
        while (from.TryPollTransmit(_buffer, now, out var length))
        {
            any = true;
            var packet = _buffer.AsSpan(0, length).ToArray();
            if (Rewrite is not null)
            {
                packet = Rewrite(fromA, packet);
            }

            if (Filter?.Invoke(fromA, packet) == true || _random.NextDouble() < LossRate)
            {
                continue;
            }

            var at = now + Latency;
            if ((_drawEveryImpairment || ReorderRate > 0) && _random.NextDouble() < ReorderRate)
            {
                at += TimeSpan.FromMilliseconds(_random.Next(1, 20));
            }

            _wire.Add((at, _order++, fromA, packet));
            if ((_drawEveryImpairment || DuplicateRate > 0) && _random.NextDouble() < DuplicateRate)
            {
                _wire.Add((at + TimeSpan.FromMilliseconds(_random.Next(0, 10)), _order++, fromA, packet));
            }
        }

        return any;
    }
}
