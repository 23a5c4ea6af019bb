using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.PeerConnection;

/// <summary>Whole peer connections on a <see cref="VirtualNetwork"/>: NATs, bandwidth caps, and the real clock.</summary>
[TestFixture]
public sealed class RTCPeerConnectionVirtualNetworkTests
{
    [Test]
    public async Task NoImpairment_ManualClock_ConnectsOverHostCandidatesAndCarriesDataBothWays()
    {
        await using var pair = new VirtualPeerPair(seed: 1);

        var (local, remote) = await pair.OpenChannelAsync("plain", null, TimeSpan.FromSeconds(10));

        Assert.That(pair.A.GetStats().SelectedCandidatePair, Does.EndWith($"-> {VirtualPeerPair.PublicB}:50000 host"));
        await AssertExchangeAsync(pair, local, remote, 20);
    }

    [Test]
    public async Task NoImpairment_RealClock_ConnectsAndCarriesDataBothWays()
    {
        await using var pair = new VirtualPeerPair(seed: 2, manualClock: false);

        var (local, remote) = await pair.OpenChannelAsync("real", null, TimeSpan.FromSeconds(15));

        Assert.That(pair.Clock, Is.Null);
        await AssertExchangeAsync(pair, local, remote, 20);
    }

    [Test]
    public async Task LossyLinkSameSeed_ManualClock_ConnectsAndOpensTheChannelWithTheSamePacketTrace()
    {
        // ICE, DTLS, SCTP and DCEP over 10% loss: with the clock stopped at each hand-off to an event task, two runs see
        // the same draws, the same timers and the same packets at the same clock times (consent checks, the one
        // CSPRNG-timed thing, are seconds away; lengths are left out: ECDSA signatures vary by a byte or two).
        var first = await OpenLossyAsync(seed: 31);
        var again = await OpenLossyAsync(seed: 31);
        var other = await OpenLossyAsync(seed: 32);

        Assert.That(again, Is.EqualTo(first));
        Assert.That(first.Count(e => e.Contains("Loss", StringComparison.Ordinal)), Is.GreaterThan(0));
        Assert.That(other, Is.Not.EqualTo(first), "another seed, other draws");
    }

    [Test]
    public async Task EndpointIndependentNatAgainstSymmetricNat_ConnectsOverAPeerReflexiveCandidateAndCarriesData()
    {
        // A's NAT keeps one mapping for every destination and lets anyone in: its server-reflexive candidate works for
        // B. B's symmetric NAT maps each destination anew, so B's checks reach A from a port no candidate announced:
        // A learns it as peer-reflexive (RFC 8445 §7.3.1.3) and its triggered check returns through that mapping.
        await using var pair = new VirtualPeerPair(
            seed: 3,
            natA: (NatMappingBehavior.EndpointIndependent, NatFilteringBehavior.EndpointIndependent),
            natB: (NatMappingBehavior.AddressAndPortDependent, NatFilteringBehavior.AddressAndPortDependent));

        var (local, remote) = await pair.OpenChannelAsync("nat", null, TimeSpan.FromSeconds(30));

        Assert.That(pair.Stun!.Requests, Is.GreaterThanOrEqualTo(2), "both sides asked the STUN server");
        var atA = VirtualPeerPair.TransportOf(pair.A).Ice!.SelectedPair!;
        Assert.That(atA.Remote.Type, Is.EqualTo(Kvs.WebRtc.PeerConnection.Ice.IceCandidateType.PeerReflexive));
        Assert.That(atA.RemoteEndPoint.Address, Is.EqualTo(VirtualPeerPair.NatAddressB), "A talks to B's NAT");
        Assert.That(pair.A.GetStats().SelectedCandidatePair, Does.EndWith("prflx"));
        var atB = VirtualPeerPair.TransportOf(pair.B).Ice!.SelectedPair!;
        Assert.That(atB.RemoteEndPoint.Address, Is.EqualTo(VirtualPeerPair.NatAddressA), "B talks to A's NAT");
        Assert.That(atB.LocalBase.Address, Is.EqualTo(VirtualPeerPair.PrivateB));
        Assert.That(pair.NatB!.MappingCount, Is.GreaterThanOrEqualTo(2), "one mapping towards the STUN server, another towards A");
        Assert.That(pair.Network.Counters.DroppedBy(DropReason.NatFiltered) + pair.Network.Counters.DroppedBy(DropReason.NoRoute), Is.GreaterThan(0),
            "checks to private and filtered addresses die on the way");
        await AssertExchangeAsync(pair, local, remote, 20);
    }

    [Test]
    public async Task OneMegabitLinkWithAQueue_Connects_AndABulkTransferArrivesInOrderNoFasterThanTheLink()
    {
        await using var pair = new VirtualPeerPair(seed: 4);
        var link = new LinkConditions { BandwidthBitsPerSecond = 1_000_000, QueueLimitBytes = 32 * 1024, Delay = TimeSpan.FromMilliseconds(10) };
        pair.HostA.SetConditions(link);
        pair.HostB.SetConditions(link);
        var (local, remote) = await pair.OpenChannelAsync("capped", null, TimeSpan.FromSeconds(30));
        var received = Collect(remote);
        const int Count = 250;
        const int Size = 1000;

        var start = pair.Network.Now;
        var before = pair.B.GetStats().MessagesReceived;
        for (var i = 0; i < Count; i++)
        {
            var payload = new byte[Size];
            BitConverter.TryWriteBytes(payload, i);
            local.Send(payload);
        }

        await pair.RunUntilAsync(() => pair.B.GetStats().MessagesReceived >= before + Count, TimeSpan.FromSeconds(120), "bulk transfer delivered");
        var elapsed = pair.Network.Now - start;

        await pair.SettleAsync(() => received.Count >= Count, "message events");
        Assert.That(received.Select(m => BitConverter.ToInt32(m)), Is.EqualTo(Enumerable.Range(0, Count)));
        // 250 kB of payload cannot cross a 1 Mbit/s link in less than 2 s: the only rate assertion that cannot flake.
        Assert.That(elapsed, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(Count * Size * 8 / 1_000_000.0)));
        Assert.That(pair.HostA.Uplink.Counters.Delivered, Is.GreaterThan(Count * Size / 1200), "the payload crossed A's uplink");
    }

    private static async Task<List<string>> OpenLossyAsync(int seed)
    {
        await using var pair = new VirtualPeerPair(seed);
        pair.Network.TraceEnabled = true;
        var conditions = new LinkConditions { LossRate = 0.10, Delay = TimeSpan.FromMilliseconds(30), Jitter = TimeSpan.FromMilliseconds(10) };
        pair.HostA.Uplink.Conditions = conditions;
        pair.HostB.Uplink.Conditions = conditions;
        await pair.OpenChannelAsync("same", null, TimeSpan.FromSeconds(60));
        return pair.Network.GetTrace().Select(e => $"{e.Time.Ticks} {e.Kind} {e.Source} {e.Destination} {e.Reason}").ToList();
    }

    internal static SynchronizedList Collect(RTCDataChannel channel)
    {
        var list = new SynchronizedList();
        channel.MessageReceived += (_, e) => list.Add(e.Data.ToArray());
        return list;
    }

    // Messages both ways; each side must see the other's, in order.
    private static async Task AssertExchangeAsync(VirtualPeerPair pair, RTCDataChannel local, RTCDataChannel remote, int count)
    {
        var atRemote = Collect(remote);
        var atLocal = Collect(local);
        var beforeB = pair.B.GetStats().MessagesReceived;
        var beforeA = pair.A.GetStats().MessagesReceived;
        for (var i = 0; i < count; i++)
        {
            local.Send([(byte)i, 1]);
            remote.Send([(byte)i, 2]);
        }

        await pair.RunUntilAsync(() => pair.B.GetStats().MessagesReceived >= beforeB + count && pair.A.GetStats().MessagesReceived >= beforeA + count,
            TimeSpan.FromSeconds(30), "messages both ways");
        await pair.SettleAsync(() => atRemote.Count >= count && atLocal.Count >= count, "message events");
        Assert.That(atRemote.Select(m => (int)m[0]), Is.EqualTo(Enumerable.Range(0, count)), "A to B");
        Assert.That(atLocal.Select(m => (int)m[0]), Is.EqualTo(Enumerable.Range(0, count)), "B to A");
    }

    /// <summary>Messages added on a connection's event task, read by the test.</summary>
    internal sealed class SynchronizedList
    {
        private readonly List<byte[]> _items = [];

        public int Count
        {
            get
            {
                lock (_items)
                {
                    return _items.Count;
                }
            }
        }

        public void Add(byte[] item)
        {
            lock (_items)
            {
                _items.Add(item);
            }
        }

        public IEnumerable<T> Select<T>(Func<byte[], T> selector)
        {
            lock (_items)
            {
                return _items.Select(selector).ToList();
            }
        }
    }
}
