using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Network;

[TestFixture]
public sealed class VirtualNetworkTests
{
    private static readonly IPAddress s_alice = IPAddress.Parse("127.0.1.1");
    private static readonly IPAddress s_bob = IPAddress.Parse("127.0.1.2");
    private static readonly IPAddress s_carol = IPAddress.Parse("127.0.1.3");

    [Test]
    public void Send_NoImpairment_DeliveredByTheNextTimerNeverInline()
    {
        using var net = new Fixture();
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        a.Send(b.EndPoint, 1);

        Assert.That(b.Received, Is.Empty, "a send never delivers inside the sender's call");
        Pump.For(net.Clock, TimeSpan.Zero);
        Assert.That(b.Received.Select(r => r.Sequence), Is.EqualTo(new[] { 1 }));
        Assert.That(b.Received[0].Source, Is.EqualTo(a.EndPoint));
        Assert.That(b.Received[0].At, Is.EqualTo(TimeSpan.Zero));
        Assert.That(net.Network.Counters.Delivered, Is.EqualTo(1));
    }

    [Test]
    public void Loss_TwentyPercent_DropsAboutAFifthAndCountsThem()
    {
        using var net = new Fixture(seed: 7);
        net.Alice.Uplink.Conditions = new LinkConditions { LossRate = 0.2 };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 10_000; i++)
        {
            a.Send(b.EndPoint, i);
        }

        Pump.For(net.Clock, TimeSpan.FromSeconds(1));

        // Binomial(10000, 0.8): sigma = 40; 4 sigma either side.
        Assert.That(b.Received, Has.Count.InRange(7_840, 8_160));
        var up = net.Alice.Uplink.Counters;
        Assert.That(up.Sent, Is.EqualTo(10_000));
        Assert.That(up.DroppedBy(DropReason.Loss), Is.EqualTo(10_000 - b.Received.Count));
        Assert.That(up.Delivered, Is.EqualTo(b.Received.Count));
        Assert.That(net.Network.Counters.DroppedBy(DropReason.Loss), Is.EqualTo(up.Dropped));
    }

    [Test]
    public void Delay_FixedPlusJitter_EveryArrivalWithinTheWindowAndSpread()
    {
        using var net = new Fixture();
        net.Alice.Uplink.Conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(50), Jitter = TimeSpan.FromMilliseconds(10) };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 200; i++)
        {
            a.Send(b.EndPoint, i);
        }

        Pump.For(net.Clock, TimeSpan.FromMilliseconds(39));
        Assert.That(b.Received, Is.Empty, "nothing arrives before delay - jitter");
        Pump.For(net.Clock, TimeSpan.FromMilliseconds(100));

        Assert.That(b.Received, Has.Count.EqualTo(200));
        Assert.That(b.Received.Select(r => r.At), Has.All.InRange(TimeSpan.FromMilliseconds(40), TimeSpan.FromMilliseconds(60)));
        Assert.That(b.Received.Select(r => r.At).Distinct().Count(), Is.GreaterThan(100), "jitter spreads arrivals");
    }

    [Test]
    public void Delay_WithoutJitter_KeepsOrder()
    {
        using var net = new Fixture();
        net.Alice.Uplink.Conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(30) };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 100; i++)
        {
            a.Send(b.EndPoint, i);
            Pump.For(net.Clock, TimeSpan.FromMilliseconds(1));
        }

        Pump.For(net.Clock, TimeSpan.FromMilliseconds(50));
        Assert.That(b.Received.Select(r => r.Sequence), Is.EqualTo(Enumerable.Range(0, 100)));
        Assert.That(b.Received[0].At, Is.EqualTo(TimeSpan.FromMilliseconds(30)));
    }

    [Test]
    public void Jitter_LargerThanPacketSpacing_Reorders()
    {
        using var net = new Fixture();
        net.Alice.Uplink.Conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(30), Jitter = TimeSpan.FromMilliseconds(20) };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 100; i++)
        {
            a.Send(b.EndPoint, i);
            Pump.For(net.Clock, TimeSpan.FromMilliseconds(1));
        }

        Pump.For(net.Clock, TimeSpan.FromMilliseconds(100));
        Assert.That(b.Received, Has.Count.EqualTo(100));
        Assert.That(Inversions(b), Is.GreaterThan(10));
    }

    [Test]
    public void ReorderRate_TenPercent_HoldsBackAboutATenthWhichLaterPacketsOvertake()
    {
        using var net = new Fixture(seed: 3);
        net.Alice.Uplink.Conditions = new LinkConditions { ReorderRate = 0.1, ReorderDelay = TimeSpan.FromMilliseconds(5) };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 1000; i++)
        {
            a.Send(b.EndPoint, i);
            Pump.For(net.Clock, TimeSpan.FromMilliseconds(1));
        }

        Pump.For(net.Clock, TimeSpan.FromMilliseconds(10));
        var reordered = net.Alice.Uplink.Counters.Reordered;
        Assert.That(reordered, Is.InRange(60, 140));
        Assert.That(b.Received, Has.Count.EqualTo(1000));
        Assert.That(Inversions(b), Is.GreaterThanOrEqualTo(reordered), "each held-back packet is overtaken by the ~5 sent after it");
    }

    [Test]
    public void DuplicateRate_TenPercent_DeliversCopiesAndCountsThem()
    {
        using var net = new Fixture(seed: 5);
        net.Alice.Uplink.Conditions = new LinkConditions { DuplicateRate = 0.1 };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 5000; i++)
        {
            a.Send(b.EndPoint, i);
        }

        Pump.For(net.Clock, TimeSpan.FromSeconds(1));
        var up = net.Alice.Uplink.Counters;
        Assert.That(up.Duplicated, Is.InRange(400, 600));
        Assert.That(b.Received, Has.Count.EqualTo(5000 + up.Duplicated));
        Assert.That(b.Received.Select(r => r.Sequence).Distinct().Count(), Is.EqualTo(5000), "nothing lost, only copies added");
    }

    [Test]
    public void Bandwidth_OfferedEightTimesTheCap_ThroughputNearTheCapAndQueueDropsCounted()
    {
        using var net = new Fixture();
        const long Cap = 1_000_000; // 1 Mbit/s
        net.Alice.Uplink.Conditions = new LinkConditions { BandwidthBitsPerSecond = Cap, QueueLimitBytes = 20_000 };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        // 1000-byte packets every millisecond: 8 Mbit/s offered for 2 s.
        for (var i = 0; i < 2000; i++)
        {
            a.Send(b.EndPoint, i, 1000);
            Pump.For(net.Clock, TimeSpan.FromMilliseconds(1));
        }

        var bytesInTwoSeconds = b.Received.Where(r => r.At <= TimeSpan.FromSeconds(2)).Sum(r => (long)r.Length);
        Assert.That(bytesInTwoSeconds * 8 / 2.0, Is.EqualTo(Cap).Within(5).Percent, "bits per second delivered");
        var up = net.Alice.Uplink.Counters;
        Assert.That(up.DroppedBy(DropReason.QueueFull), Is.GreaterThan(1500));
        Pump.For(net.Clock, TimeSpan.FromSeconds(1));
        Assert.That(b.Received.Count + up.DroppedBy(DropReason.QueueFull), Is.EqualTo(2000), "every packet is delivered or counted as dropped");
        Assert.That(b.Received.Max(r => r.At), Is.LessThanOrEqualTo(TimeSpan.FromMilliseconds(2000 + 170)), "the queue bounds the delay: 20 kB at 1 Mbit/s is 160 ms");
    }

    [Test]
    public void Bandwidth_OfferedBelowTheCap_SerializationDelayOnlyNoDrops()
    {
        using var net = new Fixture();
        net.Alice.Uplink.Conditions = new LinkConditions { BandwidthBitsPerSecond = 8_000_000 };
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);

        for (var i = 0; i < 100; i++)
        {
            a.Send(b.EndPoint, i, 500); // 0.5 ms each at 8 Mbit/s, one per ms
            Pump.For(net.Clock, TimeSpan.FromMilliseconds(1));
        }

        Assert.That(b.Received, Has.Count.EqualTo(100));
        Assert.That(b.Received[0].At, Is.EqualTo(TimeSpan.FromMilliseconds(0.5)), "sub-millisecond serialization delay is exact");
        Assert.That(net.Alice.Uplink.Counters.Dropped, Is.Zero);
    }

    [Test]
    public void Nat_EndpointIndependentMapping_SamePublicEndpointForEveryDestinationAndRepliesPass()
    {
        using var net = new Fixture();
        var (nat, inside) = net.AddNattedHost(NatMappingBehavior.EndpointIndependent, NatFilteringBehavior.AddressAndPortDependent);
        var client = net.Socket(inside, 5000);
        var server1 = net.Socket(net.Bob, 3478);
        var server2 = net.Socket(net.Bob, 3479);

        client.Send(server1.EndPoint, 1);
        client.Send(server2.EndPoint, 2);
        Pump.For(net.Clock, TimeSpan.Zero);

        var mapped = server1.Received.Single().Source;
        Assert.That(mapped.Address, Is.EqualTo(nat.PublicAddress));
        Assert.That(server2.Received.Single().Source, Is.EqualTo(mapped), "endpoint-independent: one mapping for both destinations");
        Assert.That(nat.MappingCount, Is.EqualTo(1));

        server1.Send(mapped, 3);
        Pump.For(net.Clock, TimeSpan.Zero);
        Assert.That(client.Received.Single().Sequence, Is.EqualTo(3));
        Assert.That(client.Received.Single().Source, Is.EqualTo(server1.EndPoint));
    }

    [Test]
    public void Nat_AddressAndPortDependentMapping_NewPublicPortPerDestination()
    {
        using var net = new Fixture();
        var (nat, inside) = net.AddNattedHost(NatMappingBehavior.AddressAndPortDependent, NatFilteringBehavior.AddressAndPortDependent);
        var client = net.Socket(inside, 5000);
        var server1 = net.Socket(net.Bob, 3478);
        var server2 = net.Socket(net.Bob, 3479);

        client.Send(server1.EndPoint, 1);
        client.Send(server2.EndPoint, 2);
        client.Send(server1.EndPoint, 3);
        Pump.For(net.Clock, TimeSpan.Zero);

        var mapped1 = server1.Received[0].Source;
        Assert.That(server1.Received[1].Source, Is.EqualTo(mapped1), "the same flow keeps its mapping");
        Assert.That(server2.Received.Single().Source.Port, Is.Not.EqualTo(mapped1.Port), "symmetric: a new port per destination");
        Assert.That(nat.MappingCount, Is.EqualTo(2));

        // server2 answering on server1's mapping is a different remote port: filtered.
        server2.Send(mapped1, 4);
        Pump.For(net.Clock, TimeSpan.Zero);
        Assert.That(client.Received, Is.Empty);
        Assert.That(nat.FilteredCount, Is.EqualTo(1));
    }

    [TestCase(NatFilteringBehavior.EndpointIndependent, true, true)]
    [TestCase(NatFilteringBehavior.AddressDependent, true, false)]
    [TestCase(NatFilteringBehavior.AddressAndPortDependent, false, false)]
    public void Nat_Filtering_UnsolicitedInboundPassesOnlyAsTheBehaviourAllows(NatFilteringBehavior filtering, bool otherPortPasses, bool otherHostPasses)
    {
        using var net = new Fixture();
        var (nat, inside) = net.AddNattedHost(NatMappingBehavior.EndpointIndependent, filtering);
        var client = net.Socket(inside, 5000);
        var server = net.Socket(net.Bob, 3478);
        var otherPort = net.Socket(net.Bob, 4000);
        var otherHost = net.Socket(net.Carol, 3478);
        client.Send(server.EndPoint, 1);
        Pump.For(net.Clock, TimeSpan.Zero);
        var mapped = server.Received.Single().Source;

        otherPort.Send(mapped, 2);
        otherHost.Send(mapped, 3);
        server.Send(new IPEndPoint(mapped.Address, mapped.Port + 1), 4); // no mapping there
        Pump.For(net.Clock, TimeSpan.Zero);

        var got = client.Received.Select(r => r.Sequence).ToList();
        Assert.That(got.Contains(2), Is.EqualTo(otherPortPasses), "same address, other port");
        Assert.That(got.Contains(3), Is.EqualTo(otherHostPasses), "other address");
        Assert.That(got, Does.Not.Contain(4));
        Assert.That(net.Network.Counters.DroppedBy(DropReason.NatNoMapping), Is.EqualTo(1));
        Assert.That(net.Network.Counters.DroppedBy(DropReason.NatFiltered), Is.EqualTo((otherPortPasses ? 0 : 1) + (otherHostPasses ? 0 : 1)));
    }

    [Test]
    public void Routing_PrivateAddressFromOutsideAndUnknownAddressAndClosedPort_DroppedWithReason()
    {
        using var net = new Fixture();
        var (nat, inside) = net.AddNattedHost(NatMappingBehavior.EndpointIndependent, NatFilteringBehavior.EndpointIndependent);
        var neighbour = net.Network.AddHost("neighbour", IPAddress.Parse("127.10.0.3"), nat);
        var client = net.Socket(inside, 5000);
        var next = net.Socket(neighbour, 5000);
        var a = net.Socket(net.Alice, 1000);

        a.Send(client.EndPoint, 1); // private, from outside
        a.Send(new IPEndPoint(IPAddress.Parse("127.99.0.1"), 1), 2);
        a.Send(new IPEndPoint(s_bob, 9), 3);
        client.Send(next.EndPoint, 4); // private to private behind the same NAT: direct
        Pump.For(net.Clock, TimeSpan.Zero);

        var counters = net.Network.Counters;
        Assert.That(counters.DroppedBy(DropReason.NoRoute), Is.EqualTo(2));
        Assert.That(counters.DroppedBy(DropReason.NoSocket), Is.EqualTo(1));
        Assert.That(next.Received.Single().Source, Is.EqualTo(client.EndPoint), "no translation inside the private realm");
        Assert.That(nat.MappingCount, Is.Zero);
    }

    [Test]
    public void Trace_SameSeed_SameTraceAndAnotherSeedDiffers()
    {
        var first = RunImpairedScript(seed: 11);
        var again = RunImpairedScript(seed: 11);
        var other = RunImpairedScript(seed: 12);

        Assert.That(first, Has.Count.GreaterThan(600));
        Assert.That(again, Is.EqualTo(first));
        Assert.That(other, Is.Not.EqualTo(first));
    }

    [Test]
    public void StartReceiving_DatagramsArrivedBefore_AreHandedOverAfterwards()
    {
        using var net = new Fixture();
        var a = net.Socket(net.Alice, 1000);
        var late = net.Bob.BindSocket(new IPEndPoint(s_bob, 2000));
        var received = new List<int>();
        a.Send(late.LocalEndPoint, 1);
        a.Send(late.LocalEndPoint, 2);
        Pump.For(net.Clock, TimeSpan.Zero);

        _ = late.StartReceiving((d, _) => received.Add(BinaryPrimitives.ReadInt32BigEndian(d)), CancellationToken.None);
        Pump.For(net.Clock, TimeSpan.Zero);

        Assert.That(received, Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public async Task Dispose_Socket_CompletesReceivingAndFreesThePort()
    {
        using var net = new Fixture();
        var socket = net.Bob.BindSocket(new IPEndPoint(s_bob, 2000));
        var stopped = socket.StartReceiving((_, _) => { }, CancellationToken.None);

        Assert.Throws<SocketException>(() => net.Bob.BindSocket(new IPEndPoint(s_bob, 2000)));
        socket.Dispose();

        await stopped.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.That(socket.SendTo(new byte[] { 1 }, new IPEndPoint(s_alice, 1)), Is.EqualTo(SocketError.OperationAborted));
        Assert.DoesNotThrow(() => net.Bob.BindSocket(new IPEndPoint(s_bob, 2000)).Dispose());
    }

    [Test]
    public void Bind_PortZeroAndForeignAddress_EphemeralPortsInSequenceOrAddressNotAvailable()
    {
        using var net = new Fixture();
        var first = net.Bob.BindSocket(new IPEndPoint(s_bob, 0));
        var second = net.Bob.BindSocket(new IPEndPoint(s_bob, 0));

        Assert.That(first.LocalEndPoint.Port, Is.EqualTo(50000));
        Assert.That(second.LocalEndPoint.Port, Is.EqualTo(50001));
        var error = Assert.Throws<SocketException>(() => net.Bob.BindSocket(new IPEndPoint(s_alice, 0)));
        Assert.That(error!.SocketErrorCode, Is.EqualTo(SocketError.AddressNotAvailable));
    }

    [Test]
    public void AddHost_AddressOutsideTheLoopbackRange_Throws()
    {
        using var network = new VirtualNetwork(new ManualTimeProvider());
        Assert.Throws<ArgumentException>(() => network.AddHost("x", IPAddress.Parse("10.0.0.1")));
        Assert.Throws<ArgumentException>(() => network.AddNat(IPAddress.Parse("192.0.2.1"), NatMappingBehavior.EndpointIndependent, NatFilteringBehavior.EndpointIndependent));
        Assert.DoesNotThrow(() => network.AddHost("v6", IPAddress.IPv6Loopback));
        Assert.Throws<ArgumentException>(() => network.AddHost("again", IPAddress.IPv6Loopback), "an address belongs to one host");
    }

    [Test]
    public async Task SystemClock_DelayedPacket_ArrivesInRealTime()
    {
        using var network = new VirtualNetwork(TimeProvider.System);
        var alice = network.AddHost("alice", s_alice);
        var bob = network.AddHost("bob", s_bob);
        alice.Uplink.Conditions = new LinkConditions { Delay = TimeSpan.FromMilliseconds(20) };
        using var a = alice.BindSocket(new IPEndPoint(s_alice, 1000));
        using var b = bob.BindSocket(new IPEndPoint(s_bob, 2000));
        var arrived = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        _ = b.StartReceiving((_, _) => arrived.TrySetResult(network.Now), CancellationToken.None);

        var sentAt = network.Now;
        a.SendTo(new byte[] { 1 }, b.LocalEndPoint);

        var at = await arrived.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.That(at - sentAt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(19)));
    }

    private static List<PacketTraceEntry> RunImpairedScript(int seed)
    {
        using var net = new Fixture(seed);
        net.Network.TraceEnabled = true;
        var conditions = new LinkConditions
        {
            LossRate = 0.1,
            Delay = TimeSpan.FromMilliseconds(20),
            Jitter = TimeSpan.FromMilliseconds(15),
            ReorderRate = 0.05,
            DuplicateRate = 0.05,
            BandwidthBitsPerSecond = 2_000_000,
        };
        net.Alice.SetConditions(conditions);
        net.Bob.SetConditions(conditions);
        var a = net.Socket(net.Alice, 1000);
        var b = net.Socket(net.Bob, 2000);
        for (var i = 0; i < 200; i++)
        {
            a.Send(b.EndPoint, i, 100 + (i % 7 * 100));
            b.Send(a.EndPoint, i, 200);
            Pump.For(net.Clock, TimeSpan.FromMilliseconds(2));
        }

        Pump.For(net.Clock, TimeSpan.FromSeconds(1));
        return [.. net.Network.GetTrace()];
    }

    private static int Inversions(Endpoint b)
    {
        var inversions = 0;
        var highest = -1;
        foreach (var r in b.Received)
        {
            if (r.Sequence < highest)
            {
                inversions++;
            }

            highest = Math.Max(highest, r.Sequence);
        }

        return inversions;
    }

    private sealed class Fixture : IDisposable
    {
        public Fixture(int seed = 1)
        {
            Network = new VirtualNetwork(Clock, seed);
            Alice = Network.AddHost("alice", s_alice);
            Bob = Network.AddHost("bob", s_bob);
            Carol = Network.AddHost("carol", s_carol);
        }

        public ManualTimeProvider Clock { get; } = new();

        public VirtualNetwork Network { get; }

        public VirtualHost Alice { get; }

        public VirtualHost Bob { get; }

        public VirtualHost Carol { get; }

        public Endpoint Socket(VirtualHost host, int port) => new(Network, host.BindSocket(new IPEndPoint(host.Addresses[0], port)));

        /// <summary>A NAT with public address 127.20.0.1 and one host behind it, "inside" at 127.10.0.2.</summary>
        public (VirtualNat Nat, VirtualHost Inside) AddNattedHost(NatMappingBehavior mapping, NatFilteringBehavior filtering)
        {
            var nat = Network.AddNat(IPAddress.Parse("127.20.0.1"), mapping, filtering);
            return (nat, Network.AddHost("inside", IPAddress.Parse("127.10.0.2"), nat));
        }

        public void Dispose() => Network.Dispose();
    }

    private sealed class Endpoint
    {
        private readonly VirtualNetwork _network;
        private readonly VirtualSocket _socket;

        public Endpoint(VirtualNetwork network, VirtualSocket socket)
        {
            _network = network;
            _socket = socket;
            _ = socket.StartReceiving(
                (d, source) => Received.Add(new Arrival(BinaryPrimitives.ReadInt32BigEndian(d), (IPEndPoint)socket.LocalEndPoint.Create(source), d.Length, network.Now)),
                CancellationToken.None);
        }

        public IPEndPoint EndPoint => _socket.LocalEndPoint;

        public List<Arrival> Received { get; } = [];

        public void Send(IPEndPoint to, int sequence, int length = 4)
        {
            var data = new byte[length];
            BinaryPrimitives.WriteInt32BigEndian(data, sequence);
            Assert.That(_socket.SendTo(data, to), Is.EqualTo(SocketError.Success));
        }

        public override string ToString() => $"{_socket} via {_network}";
    }

    private readonly record struct Arrival(int Sequence, IPEndPoint Source, int Length, TimeSpan At);
}
