using System.Net;
using System.Net.Sockets;

namespace Kvs.WebRtc.Testing.Network;

/// <summary>
/// An in-process UDP network for tests: hosts with loopback-range addresses (127.x.y.z, ::1) that never reach the
/// kernel, per-direction access links with seeded impairment (<see cref="LinkConditions"/>), NATs, counters and an
/// optional packet trace. Packets move only when timers of the <see cref="TimeProvider"/> fire: with a
/// <see cref="ManualTimeProvider"/> a test decides when (see <see cref="Pump"/>), with <see cref="TimeProvider.System"/>
/// they flow in real time.
/// </summary>
/// <remarks>
/// <para>A packet from host A to host B: A's socket → A's uplink (loss, bandwidth queue, delay, jitter, reorder,
/// duplication) → A's NAT (outbound mapping) → B's NAT (inbound filtering and translation) → B's downlink → B's socket.
/// Sending never delivers inline: even with no impairment the packet waits for the next timer callback, so a receiver
/// never runs inside a sender's call.</para>
/// <para>Determinism: each link draws from its own <see cref="Random"/> seeded from the network seed and the link's
/// creation index, packets due at the same instant are handed over in send order, and ports are assigned in sequence.
/// Thread-safety: all members may be called from any thread; receivers are called outside the network's lock, one at a
/// time.</para>
/// </remarks>
internal sealed class VirtualNetwork : IDisposable
{
    private readonly TimeProvider _timeProvider;
    private readonly long _start;
    private readonly int _seed;
    private readonly ITimer _timer;
    private readonly PriorityQueue<InFlight, (long Due, long Sequence)> _queue = new();
    private readonly Dictionary<IPAddress, VirtualHost> _hostsByAddress = [];
    private readonly Dictionary<IPAddress, VirtualNat> _natsByAddress = [];
    private readonly List<PacketTraceEntry> _trace = [];
    private readonly long[] _dropped = new long[Enum.GetValues<DropReason>().Length];
    private long _sequence;
    private long _sent;
    private long _delivered;
    private long _armedDue = long.MaxValue;
    private int _links;
    private bool _delivering;
    private bool _disposed;
    private bool _traceEnabled;

    /// <summary>Creates an empty network.</summary>
    /// <param name="timeProvider">Drives delivery; a <see cref="ManualTimeProvider"/> for deterministic tests.</param>
    /// <param name="seed">Seeds every link's random impairment.</param>
    public VirtualNetwork(TimeProvider timeProvider, int seed = 1)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        _seed = seed;
        _start = timeProvider.GetTimestamp();
        _timer = timeProvider.CreateTimer(_ => OnTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The clock that drives delivery.</summary>
    public TimeProvider TimeProvider => _timeProvider;

    /// <summary>Network time: elapsed since creation.</summary>
    public TimeSpan Now => _timeProvider.GetElapsedTime(_start);

    /// <summary>Records every send, delivery and drop (see <see cref="GetTrace"/>). Off by default.</summary>
    public bool TraceEnabled
    {
        get
        {
            lock (Gate)
            {
                return _traceEnabled;
            }
        }

        set
        {
            lock (Gate)
            {
                _traceEnabled = value;
            }
        }
    }

    /// <summary>Network-wide counters: sent by sockets, delivered to sockets, drops by reason (links, NATs, routing).</summary>
    public LinkCounters Counters
    {
        get
        {
            lock (Gate)
            {
                return new LinkCounters(_sent, _delivered, 0, 0, [.. _dropped]);
            }
        }
    }

    /// <summary>Packets in flight.</summary>
    public int InFlightCount
    {
        get
        {
            lock (Gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>The first exception a socket's receiver threw (delivery goes on), or null.</summary>
    public Exception? FirstReceiverException { get; private set; }

    // The one lock of the network, its links, NATs, hosts and sockets.
    internal object Gate { get; } = new();

    /// <summary>Adds a NAT with a public address (127.x.y.z or ::1); put hosts behind it with <see cref="AddHost(string, IPAddress, VirtualNat?)"/>.</summary>
    public VirtualNat AddNat(IPAddress publicAddress, NatMappingBehavior mapping, NatFilteringBehavior filtering)
    {
        ArgumentNullException.ThrowIfNull(publicAddress);
        RequireLoopbackRange(publicAddress);
        lock (Gate)
        {
            RequireUnused(publicAddress);
            var nat = new VirtualNat(this, publicAddress, mapping, filtering);
            _natsByAddress[publicAddress] = nat;
            return nat;
        }
    }

    /// <summary>Adds a host with one address (127.x.y.z or ::1), optionally behind <paramref name="behind"/>.</summary>
    public VirtualHost AddHost(string name, IPAddress address, VirtualNat? behind = null) => AddHost(name, [address], behind);

    /// <summary>Adds a host with several addresses (127.x.y.z or ::1), optionally behind <paramref name="behind"/>.</summary>
    public VirtualHost AddHost(string name, IReadOnlyList<IPAddress> addresses, VirtualNat? behind = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(addresses);
        if (addresses.Count == 0)
        {
            throw new ArgumentException("A host needs an address.", nameof(addresses));
        }

        foreach (var address in addresses)
        {
            RequireLoopbackRange(address);
        }

        lock (Gate)
        {
            foreach (var address in addresses)
            {
                RequireUnused(address);
            }

            var uplink = new VirtualLink(this, name + "↑", unchecked((_seed * 1_000_003) + _links++));
            var downlink = new VirtualLink(this, name + "↓", unchecked((_seed * 1_000_003) + _links++));
            var host = new VirtualHost(this, name, [.. addresses], behind, uplink, downlink);
            foreach (var address in addresses)
            {
                _hostsByAddress[address] = host;
            }

            return host;
        }
    }

    /// <summary>A copy of the trace recorded so far.</summary>
    public IReadOnlyList<PacketTraceEntry> GetTrace()
    {
        lock (Gate)
        {
            return [.. _trace];
        }
    }

    /// <summary>Stops delivery; packets in flight are discarded.</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            _disposed = true;
            _queue.Clear();
        }

        _timer.Dispose();
    }

    internal SocketError Send(VirtualSocket socket, IPEndPoint destination, ReadOnlySpan<byte> datagram)
    {
        var data = datagram.ToArray();
        lock (Gate)
        {
            if (socket.Closed || _disposed)
            {
                return SocketError.OperationAborted;
            }

            var now = NowTicks;
            _sent++;
            Trace(now, PacketTraceKind.Sent, socket.LocalEndPoint, destination, data.Length, null);
            Cross(socket.Host.Uplink, new InFlight(Stage.Core, socket.Host, socket.LocalEndPoint, destination, data, socket.Host.Uplink), now);
            Arm(now);
        }

        return SocketError.Success;
    }

    // Under the lock: datagrams that waited for StartReceiving are handed over at the next delivery.
    internal void RedeliverBacklog(VirtualSocket socket)
    {
        var now = NowTicks;
        while (socket.Backlog.TryDequeue(out var item))
        {
            Enqueue(new InFlight(Stage.Host, socket.Host, item.Source, socket.LocalEndPoint, item.Data, null), now);
        }

        Arm(now);
    }

    private long NowTicks => Now.Ticks;

    private static void RequireLoopbackRange(IPAddress address)
    {
        if (!IPAddress.IsLoopback(address))
        {
            throw new ArgumentException($"Virtual addresses must be in the loopback range (127.x.y.z or ::1), not {address}.", nameof(address));
        }
    }

    private void RequireUnused(IPAddress address)
    {
        if (_hostsByAddress.ContainsKey(address) || _natsByAddress.ContainsKey(address))
        {
            throw new ArgumentException($"{address} is already on the network.", nameof(address));
        }
    }

    // Under the lock: offers the packet to a link and schedules what survives.
    private void Cross(VirtualLink link, InFlight packet, long now)
    {
        Span<long> arrivals = stackalloc long[2];
        var copies = link.Offer(now, packet.Data.Length, arrivals, out var reason);
        if (copies == 0)
        {
            Drop(now, packet, reason);
            return;
        }

        for (var i = 0; i < copies; i++)
        {
            Enqueue(packet, arrivals[i]);
        }
    }

    private void Enqueue(InFlight packet, long due) => _queue.Enqueue(packet, (due, _sequence++));

    private void Drop(long now, InFlight packet, DropReason reason)
    {
        _dropped[(int)reason]++;
        Trace(now, PacketTraceKind.Dropped, packet.Source, packet.Destination, packet.Data.Length, reason);
    }

    private void Trace(long now, PacketTraceKind kind, IPEndPoint source, IPEndPoint destination, int length, DropReason? reason)
    {
        if (_traceEnabled)
        {
            _trace.Add(new PacketTraceEntry(TimeSpan.FromTicks(now), kind, source, destination, length, reason));
        }
    }

    // Under the lock: (re)arms the one timer for the earliest packet, unless the delivery loop is running (it re-arms).
    private void Arm(long now)
    {
        if (_delivering || _disposed)
        {
            return;
        }

        var due = _queue.TryPeek(out _, out var key) ? key.Due : long.MaxValue;
        if (due == _armedDue)
        {
            return;
        }

        _armedDue = due;
        _timer.Change(due == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(0, due - now)), Timeout.InfiniteTimeSpan);
    }

    private void OnTimer()
    {
        lock (Gate)
        {
            if (_delivering)
            {
                return;
            }

            _delivering = true;
            _armedDue = long.MaxValue;
        }

        try
        {
            // Bounded by the packets due now; each iteration removes one from the queue.
            while (true)
            {
                DatagramTarget target;
                lock (Gate)
                {
                    var now = NowTicks;
                    if (_disposed || !_queue.TryPeek(out _, out var key) || key.Due > now)
                    {
                        return;
                    }

                    var packet = _queue.Dequeue();
                    if (!TryProcess(packet, now, out target))
                    {
                        continue;
                    }
                }

                try
                {
                    target.Receiver(target.Data, target.Source.Serialize());
                }
#pragma warning disable CA1031 // a throwing receiver must not stop delivery to the others; the test sees it here
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    lock (Gate)
                    {
                        FirstReceiverException ??= ex;
                    }
                }
            }
        }
        finally
        {
            lock (Gate)
            {
                _delivering = false;
                Arm(NowTicks);
            }
        }
    }

    // Under the lock: moves a packet one stage on; true when it is to be handed to a socket now.
    private bool TryProcess(InFlight packet, long now, out DatagramTarget target)
    {
        target = default;
        packet.Link?.CountDelivered();
        if (packet.Stage == Stage.Core)
        {
            Route(packet, now);
            return false;
        }

        var socket = packet.Host.FindSocket(packet.Destination);
        if (socket is null)
        {
            Drop(now, packet, DropReason.NoSocket);
            return false;
        }

        if (socket.Receiver is not { } receiver)
        {
            if (socket.Backlog.Count >= VirtualSocket.BacklogLimit)
            {
                Drop(now, packet, DropReason.NoSocket);
            }
            else
            {
                socket.Backlog.Enqueue((packet.Source, packet.Data));
            }

            return false;
        }

        _delivered++;
        Trace(now, PacketTraceKind.Delivered, packet.Source, packet.Destination, packet.Data.Length, null);
        target = new DatagramTarget(receiver, packet.Source, packet.Data);
        return true;
    }

    // Under the lock: the packet left the sender's uplink; NAT both ends, then onto the receiver's downlink.
    private void Route(InFlight packet, long now)
    {
        var source = packet.Source;
        var destination = packet.Destination;
        var fromNat = packet.Host.Nat;
        VirtualHost? to;
        if (_hostsByAddress.TryGetValue(destination.Address, out to))
        {
            if (to.Nat is not null && !ReferenceEquals(to.Nat, fromNat))
            {
                Drop(now, packet, DropReason.NoRoute);
                return;
            }

            if (to.Nat is null && fromNat is not null)
            {
                source = fromNat.Outbound(source, destination);
            }
        }
        else if (_natsByAddress.TryGetValue(destination.Address, out var nat))
        {
            if (fromNat is not null)
            {
                source = fromNat.Outbound(source, destination);
            }

            if (!nat.TryInbound(destination.Port, source, out var privateDestination, out var reason))
            {
                Drop(now, packet with { Source = source }, reason);
                return;
            }

            destination = privateDestination!;
            to = _hostsByAddress[destination.Address];
        }
        else
        {
            Drop(now, packet, DropReason.NoRoute);
            return;
        }

        Cross(to.Downlink, new InFlight(Stage.Host, to, source, destination, packet.Data, to.Downlink), now);
    }

    private enum Stage
    {
        // Leaving the sender's uplink: NAT and routing next.
        Core,

        // Leaving the receiver's downlink (Host is the receiver): the socket next.
        Host,
    }

    // Host: the sender at Stage.Core, the receiver at Stage.Host. Link: the link the packet is crossing (null: none).
    private sealed record InFlight(Stage Stage, VirtualHost Host, IPEndPoint Source, IPEndPoint Destination, byte[] Data, VirtualLink? Link);

    private readonly record struct DatagramTarget(Kvs.WebRtc.PeerConnection.Ice.DatagramReceiver Receiver, IPEndPoint Source, byte[] Data);
}
