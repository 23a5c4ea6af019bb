using Kvs.WebRtc.PeerConnection.Sctp;

namespace Kvs.WebRtc.PeerConnection.Tests.Sctp;

/// <summary>
/// Two associations wired in memory with a manual clock, a fixed one-way latency and seeded impairment
/// (loss, duplication, reordering). <see cref="Pump"/> always advances to the next packet arrival or timer.
/// </summary>
internal sealed class SctpTestLink
{
    private readonly Random _random;
    private readonly List<(TimeSpan At, long Order, bool ToB, byte[] Packet)> _wire = [];
    private readonly byte[] _buffer = new byte[65536];
    private long _order;

    public SctpTestLink(SctpAssociationOptions? optionsA = null, SctpAssociationOptions? optionsB = null, int seed = 1)
    {
        _random = new Random(seed);
        A = new SctpAssociation(optionsA, Now);
        B = new SctpAssociation(optionsB, Now);
    }

    public SctpAssociation A { get; }

    public SctpAssociation B { get; }

    public TimeSpan Now { get; private set; } = TimeSpan.FromSeconds(100);

    public TimeSpan Latency { get; set; } = TimeSpan.FromMilliseconds(5);

    public double LossRate { get; set; }

    public double DuplicateRate { get; set; }

    public double ReorderRate { get; set; }

    /// <summary>Return true to drop a packet (toB, packet).</summary>
    public Func<bool, byte[], bool>? Filter { get; set; }

    /// <summary>Optional packet rewrite (toB, packet) applied before impairment.</summary>
    public Func<bool, byte[], byte[]>? Rewrite { get; set; }

    public List<SctpEvent> EventsA { get; } = [];

    public List<SctpEvent> EventsB { get; } = [];

    /// <summary>Called for every event as it is drained (isA, event).</summary>
    public Action<bool, SctpEvent>? OnEvent { get; set; }

    public int PacketsCarried { get; private set; }

    /// <summary>Messages delivered to B so far (cheaper than counting <see cref="EventsB"/>).</summary>
    public int MessagesReceivedByB { get; private set; }

    public void Connect(bool both = true)
    {
        A.Connect(Now);
        if (both)
        {
            B.Connect(Now);
        }
    }

    public IEnumerable<SctpEvent> Messages(bool ofA) =>
        (ofA ? EventsA : EventsB).Where(e => e.Kind == SctpEventKind.MessageReceived);

    /// <summary>Runs until <paramref name="until"/> holds or nothing is left to do; returns whether the condition held.</summary>
    public bool Pump(Func<bool> until, int maxSteps = 1_000_000, TimeSpan? maxTime = null)
    {
        var deadline = Now + (maxTime ?? TimeSpan.FromMinutes(30));
        for (var step = 0; step < maxSteps; step++)
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

            foreach (var t in new[] { A.NextTimeout, B.NextTimeout })
            {
                if (t is { } v && (next is null || v < next))
                {
                    next = v;
                }
            }

            if (next is null || next > deadline)
            {
                return until();
            }

            if (next > Now)
            {
                Now = next.Value;
            }

            var due = _wire.Where(w => w.At <= Now).OrderBy(w => w.At).ThenBy(w => w.Order).ToList();
            _wire.RemoveAll(w => w.At <= Now);
            foreach (var (_, _, toB, packet) in due)
            {
                PacketsCarried++;
                (toB ? B : A).HandlePacket(packet, Now);
            }

            if (A.NextTimeout <= Now)
            {
                A.HandleTimeout(Now);
            }

            if (B.NextTimeout <= Now)
            {
                B.HandleTimeout(Now);
            }
        }

        return until();
    }

    public void Drain()
    {
        var again = true;
        while (again)
        {
            again = false;
            again |= DrainEvents(A, true);
            again |= DrainEvents(B, false);
            again |= DrainTransmit(A, true);
            again |= DrainTransmit(B, false);
        }
    }

    private bool DrainEvents(SctpAssociation association, bool isA)
    {
        var any = false;
        while (association.TryPollEvent(out var e))
        {
            any = true;
            (isA ? EventsA : EventsB).Add(e);
            if (!isA && e.Kind == SctpEventKind.MessageReceived)
            {
                MessagesReceivedByB++;
            }

            OnEvent?.Invoke(isA, e);
        }

        return any;
    }

    private bool DrainTransmit(SctpAssociation from, bool fromA)
    {
        var any = false;
        while (from.TryPollTransmit(_buffer, Now, out var length))
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

            var at = Now + Latency;
            if (_random.NextDouble() < ReorderRate)
            {
                at += TimeSpan.FromMilliseconds(_random.Next(1, 20));
            }

            _wire.Add((at, _order++, fromA, packet));
            if (_random.NextDouble() < DuplicateRate)
            {
                _wire.Add((at + TimeSpan.FromMilliseconds(_random.Next(0, 10)), _order++, fromA, packet));
            }
        }

        return any;
    }

    /// <summary>Advances the clock by <paramref name="span"/>, running timers and deliveries on the way.</summary>
    public void Advance(TimeSpan span)
    {
        var end = Now + span;
        Pump(() => false, maxTime: span);
        if (Now < end)
        {
            Now = end;
            A.HandleTimeout(Now);
            B.HandleTimeout(Now);
            Drain();
        }
    }
}
