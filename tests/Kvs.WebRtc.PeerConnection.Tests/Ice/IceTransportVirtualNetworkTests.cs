using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>
/// Two <see cref="IceTransport"/>s on a <see cref="VirtualNetwork"/>, driven by a <see cref="ManualTimeProvider"/>: every
/// check, retransmission and delivery happens when <see cref="Pump"/> moves the clock, on the test thread.
/// </summary>
[TestFixture]
public sealed class IceTransportVirtualNetworkTests
{
    // Real time, only for the gathering-complete event raised on the transports' dispatch task.
    private static readonly TimeSpan s_realTimeout = TimeSpan.FromSeconds(15);

    private static readonly IPAddress s_publicA = IPAddress.Parse("127.30.0.1");
    private static readonly IPAddress s_publicB = IPAddress.Parse("127.30.0.2");
    private static readonly IPAddress s_privateA = IPAddress.Parse("127.10.0.1");
    private static readonly IPAddress s_natA = IPAddress.Parse("127.20.0.1");
    private static readonly IPAddress s_privateB = IPAddress.Parse("127.11.0.1");
    private static readonly IPAddress s_natB = IPAddress.Parse("127.21.0.1");

    [Test]
    public async Task Direct_NoImpairment_ConnectsAndCarriesDataBothWays()
    {
        var net = new Net();
        var a = net.Network.AddHost("a", s_publicA);
        var b = net.Network.AddHost("b", s_publicB);
        await using var pair = await Pair.StartAsync(net, a, b);

        Assert.That(pair.PumpUntilConnected(TimeSpan.FromSeconds(5)), Is.True, "connected within 5 s of clock time");
        Assert.That(pair.A.SelectedPair!.RemoteEndPoint.Address, Is.EqualTo(s_publicB));
        await pair.AssertDataBothWaysAsync();
    }

    [TestCase(0.05)]
    [TestCase(0.20)]
    public async Task Direct_RandomLossBothWays_StillConnectsAndCarriesData(double lossRate)
    {
        var net = new Net(seed: 42);
        var a = net.Network.AddHost("a", s_publicA);
        var b = net.Network.AddHost("b", s_publicB);
        var conditions = new LinkConditions { LossRate = lossRate, Delay = TimeSpan.FromMilliseconds(20), Jitter = TimeSpan.FromMilliseconds(5) };
        a.Uplink.Conditions = conditions;
        b.Uplink.Conditions = conditions;
        await using var pair = await Pair.StartAsync(net, a, b);

        Assert.That(pair.PumpUntilConnected(TimeSpan.FromSeconds(20)), Is.True, "checks are retransmitted through the loss");

        // Data over the lossy path: nothing retransmits at this layer, so about (1 - loss) of it arrives each way.
        var (atA, atB) = await pair.ExchangeDataAsync(200);
        var expected = 200 * (1 - lossRate);
        Assert.That(atB, Is.InRange(expected - 25, expected + 10));
        Assert.That(atA, Is.InRange(expected - 25, expected + 10));
        Assert.That(a.Uplink.Counters.DroppedBy(DropReason.Loss), Is.EqualTo(a.Uplink.Counters.Sent - a.Uplink.Counters.Delivered));
    }

    [Test]
    public async Task Direct_LossyLinkSameSeed_ConnectsAtTheSameClockTimeWithTheSameTraffic()
    {
        var first = await ConnectLossyAsync(seed: 9);
        var again = await ConnectLossyAsync(seed: 9);

        Assert.That(again, Is.EqualTo(first), "(time to connect, packets sent, packets dropped)");
    }

    [Test]
    public async Task SocketFactory_HostWithIPv4AndIPv6_GathersBothOrOnlyIPv4WhenIPv6IsOff()
    {
        var net = new Net();
        var host = net.Network.AddHost("dual", [s_publicA, IPAddress.IPv6Loopback]);
        await using var both = new IceTransport(new IceTransportOptions { SocketFactory = host }, timeProvider: net.Clock);
        await both.StartAsync();
        await using var v4 = new IceTransport(new IceTransportOptions { SocketFactory = host, IncludeIPv6 = false }, timeProvider: net.Clock);
        await v4.StartAsync();

        Assert.That(both.LocalCandidates.Select(c => c.EndPoint!.Address), Is.EquivalentTo(new[] { s_publicA, IPAddress.IPv6Loopback }));
        Assert.That(v4.LocalCandidates.Select(c => c.EndPoint!.Address), Is.EqualTo(new[] { s_publicA }));
        Assert.That(both.LocalCandidates.Select(c => c.EndPoint!.Port), Has.All.GreaterThanOrEqualTo(50000), "virtual ephemeral ports");
    }

    [TestCase(NatMappingBehavior.EndpointIndependent, NatFilteringBehavior.EndpointIndependent)]
    [TestCase(NatMappingBehavior.EndpointIndependent, NatFilteringBehavior.AddressAndPortDependent)]
    [TestCase(NatMappingBehavior.AddressAndPortDependent, NatFilteringBehavior.AddressAndPortDependent)]
    public async Task OneSideBehindNat_NoStunServer_ConnectsOverAPeerReflexiveCandidate(NatMappingBehavior mapping, NatFilteringBehavior filtering)
    {
        // A's host candidate (private) is unreachable from B; A's checks reach B through the NAT, B learns A's mapped
        // address as peer-reflexive (RFC 8445 §7.3.1.3) and its triggered check goes back through the mapping.
        var net = new Net();
        var nat = net.Network.AddNat(s_natA, mapping, filtering);
        var a = net.Network.AddHost("a", s_privateA, nat);
        var b = net.Network.AddHost("b", s_publicB);
        await using var pair = await Pair.StartAsync(net, a, b);

        Assert.That(pair.PumpUntilConnected(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(pair.B.SelectedPair!.RemoteEndPoint.Address, Is.EqualTo(s_natA), "B talks to A's public mapping");
        Assert.That(pair.A.SelectedPair!.LocalBase.Address, Is.EqualTo(s_privateA));
        Assert.That(nat.MappingCount, Is.GreaterThanOrEqualTo(1));
        Assert.That(net.Network.Counters.DroppedBy(DropReason.NoRoute), Is.GreaterThan(0), "B's checks to A's private address have no route");
        await pair.AssertDataBothWaysAsync();
    }

    [Test]
    public async Task OneSideBehindSymmetricNat_ControlledSideBehindIt_Connects()
    {
        var net = new Net();
        var nat = net.Network.AddNat(s_natB, NatMappingBehavior.AddressAndPortDependent, NatFilteringBehavior.AddressAndPortDependent);
        var a = net.Network.AddHost("a", s_publicA);
        var b = net.Network.AddHost("b", s_privateB, nat);
        await using var pair = await Pair.StartAsync(net, a, b);

        Assert.That(pair.PumpUntilConnected(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(pair.A.SelectedPair!.RemoteEndPoint.Address, Is.EqualTo(s_natB));
        await pair.AssertDataBothWaysAsync();
    }

    [Test]
    public async Task BothSidesBehindSymmetricNats_NoRelay_FailsOnceEveryCheckIsExhausted()
    {
        // Expected: without a STUN or TURN server neither side learns a reachable address; every check dies at a NAT.
        var net = new Net();
        var natA = net.Network.AddNat(s_natA, NatMappingBehavior.AddressAndPortDependent, NatFilteringBehavior.AddressAndPortDependent);
        var natB = net.Network.AddNat(s_natB, NatMappingBehavior.AddressAndPortDependent, NatFilteringBehavior.AddressAndPortDependent);
        var a = net.Network.AddHost("a", s_privateA, natA);
        var b = net.Network.AddHost("b", s_privateB, natB);
        await using var pair = await Pair.StartAsync(net, a, b);

        var failed = Pump.Until(net.Clock, () => pair.A.State == IceConnectionState.Failed && pair.B.State == IceConnectionState.Failed, TimeSpan.FromSeconds(60));

        Assert.That(failed, Is.True, "both fail within a minute of clock time");
        Assert.That(pair.A.SelectedPair, Is.Null);
        Assert.That(net.Network.Counters.Delivered, Is.Zero);
    }

    [Test]
    public async Task Direct_DelayedLink_ConnectsNoEarlierThanTheRoundTrips()
    {
        var net = new Net();
        var a = net.Network.AddHost("a", s_publicA);
        var b = net.Network.AddHost("b", s_publicB);
        a.SetConditions(new LinkConditions { Delay = TimeSpan.FromMilliseconds(50) });
        b.SetConditions(new LinkConditions { Delay = TimeSpan.FromMilliseconds(50) });
        await using var pair = await Pair.StartAsync(net, a, b);
        var start = net.Network.Now;

        Assert.That(pair.PumpUntilConnected(TimeSpan.FromSeconds(10)), Is.True);

        // 100 ms each way: a check and its response take 200 ms at least.
        Assert.That(net.Network.Now - start, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(200)));
    }

    private static async Task<(TimeSpan Elapsed, long Sent, long Dropped)> ConnectLossyAsync(int seed)
    {
        var net = new Net(seed);
        var a = net.Network.AddHost("a", s_publicA);
        var b = net.Network.AddHost("b", s_publicB);
        a.SetConditions(new LinkConditions { LossRate = 0.3, Delay = TimeSpan.FromMilliseconds(30), Jitter = TimeSpan.FromMilliseconds(10) });
        await using var pair = await Pair.StartAsync(net, a, b);
        var start = net.Network.Now;
        Assert.That(pair.PumpUntilConnected(TimeSpan.FromSeconds(30)), Is.True);
        var counters = net.Network.Counters;
        return (net.Network.Now - start, counters.Sent, counters.Dropped);
    }

    private sealed class Net
    {
        public Net(int seed = 1) => Network = new VirtualNetwork(Clock, seed);

        public ManualTimeProvider Clock { get; } = new();

        public VirtualNetwork Network { get; }
    }

    private sealed class Pair : IAsyncDisposable
    {
        private readonly Net _net;
        private readonly List<byte> _atA = [];
        private readonly List<byte> _atB = [];

        private Pair(Net net, IceTransport a, IceTransport b)
        {
            _net = net;
            A = a;
            B = b;
            A.DataReceiver = d => _atA.Add(d[^1]);
            B.DataReceiver = d => _atB.Add(d[^1]);
        }

        public IceTransport A { get; }

        public IceTransport B { get; }

        public static async Task<Pair> StartAsync(Net net, VirtualHost hostA, VirtualHost hostB)
        {
            var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, SocketFactory = hostA }, timeProvider: net.Clock);
            var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, SocketFactory = hostB }, timeProvider: net.Clock);
            var pair = new Pair(net, a, b);
            var gatheredA = GatheringDone(a);
            var gatheredB = GatheringDone(b);
            await a.StartAsync();
            await b.StartAsync();

            // Host candidates only (no servers): gathering ends on its own; wait for it so that nothing changes behind
            // the pump's back, then signal everything at once, synchronously.
            await Task.WhenAll(gatheredA, gatheredB).WaitAsync(s_realTimeout);
            Signal(a, b);
            Signal(b, a);
            return pair;
        }

        public bool PumpUntilConnected(TimeSpan limit) =>
            Pump.Until(_net.Clock, () => Up(A.State) && Up(B.State) && A.SelectedPair is not null && B.SelectedPair is not null, limit);

        public async Task AssertDataBothWaysAsync()
        {
            var (atA, atB) = await ExchangeDataAsync(3);
            Assert.That(_atB, Is.EqualTo(new byte[] { 0, 1, 2 }), "A to B, in order");
            Assert.That(_atA, Is.EqualTo(new byte[] { 0, 1, 2 }), "B to A, in order");
            Assert.That((atA, atB), Is.EqualTo((3, 3)));
        }

        public async Task<(int AtA, int AtB)> ExchangeDataAsync(int count)
        {
            _atA.Clear();
            _atB.Clear();
            for (var i = 0; i < count; i++)
            {
                // DTLS-looking datagrams (first byte 23) go to the data receiver.
                await A.SendAsync(new byte[] { 23, 254, 253, (byte)i });
                await B.SendAsync(new byte[] { 23, 254, 253, (byte)i });
                Pump.For(_net.Clock, TimeSpan.FromMilliseconds(1));
            }

            Pump.For(_net.Clock, TimeSpan.FromSeconds(1));
            return (_atA.Count, _atB.Count);
        }

        public async ValueTask DisposeAsync()
        {
            await A.DisposeAsync();
            await B.DisposeAsync();
            _net.Network.Dispose();
        }

        private static bool Up(IceConnectionState state) => state is IceConnectionState.Connected or IceConnectionState.Completed;

        private static Task GatheringDone(IceTransport transport)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            transport.CandidateGathered += c =>
            {
                if (c is null)
                {
                    done.TrySetResult();
                }
            };
            return done.Task;
        }

        private static void Signal(IceTransport from, IceTransport to)
        {
            foreach (var candidate in from.LocalCandidates)
            {
                to.AddRemoteCandidate(candidate);
            }

            to.SetRemoteEndOfCandidates();
            to.SetRemoteCredentials(from.LocalCredentials);
        }
    }
}
