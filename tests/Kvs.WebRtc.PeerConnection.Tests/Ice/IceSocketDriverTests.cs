using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>
/// The socket driver alone (no agent, no gatherer) on a <see cref="VirtualNetwork"/>: which datagrams take the fast
/// path to the data receiver and which go to the owner, where sends go, and what closing does.
/// </summary>
[TestFixture]
public sealed class IceSocketDriverTests
{
    private static readonly IPAddress s_local = IPAddress.Parse("127.41.0.1");
    private static readonly IPAddress s_remote = IPAddress.Parse("127.41.0.2");

    [Test]
    public void Transmit_FromAHostBase_ReachesThePeerUnknownBaseSendsNothing()
    {
        using var world = new World();
        world.Driver.Transmit(new IceTransmit(world.Base, world.Peer.LocalEndPoint, new byte[] { 0, 1, 2 }));
        world.Driver.Transmit(new IceTransmit(new IPEndPoint(s_local, 1), world.Peer.LocalEndPoint, new byte[] { 0, 9, 9 }));
        world.Deliver();

        Assert.That(world.AtPeer, Is.EqualTo(new[] { new byte[] { 0, 1, 2 } }));
    }

    [Test]
    public void Receive_WithoutSelectedPair_EverythingGoesToTheOwnerWithBaseAndSource()
    {
        using var world = new World();
        world.PeerSends([0, 1], [23, 5]);

        Assert.That(world.Handled.Select(h => (h.Bytes[0], h.Base, h.Source)), Is.EqualTo(new[]
        {
            ((byte)0, world.Base, world.Peer.LocalEndPoint), ((byte)23, world.Base, world.Peer.LocalEndPoint),
        }));
        Assert.That(world.Data, Is.Empty);
        Assert.That(world.Driver.DataCounters.PacketsReceived, Is.Zero);
    }

    [Test]
    public void Receive_WithSelectedPair_ApplicationDataTakesTheFastPathStunStillGoesToTheOwner()
    {
        using var world = new World();
        world.Driver.SetSelectedPair(world.PairTo(world.Peer.LocalEndPoint));
        world.PeerSends([23, 5], [0, 1], [128, 7]);

        Assert.That(world.Data.Select(d => d[0]), Is.EqualTo(new byte[] { 23, 128 }));
        Assert.That(world.Handled.Select(h => h.Bytes[0]), Is.EqualTo(new byte[] { 0 }));
        Assert.That(world.Driver.DataCounters.PacketsReceived, Is.EqualTo(2));
        Assert.That(world.Driver.DataCounters.BytesReceived, Is.EqualTo(4));
    }

    [Test]
    public void Receive_DataFromAnotherSourceThanTheSelectedRemote_GoesToTheOwner()
    {
        using var world = new World();
        world.Driver.SetSelectedPair(world.PairTo(new IPEndPoint(s_remote, 1)));
        world.PeerSends([23, 5]);

        Assert.That(world.Data, Is.Empty);
        Assert.That(world.Handled, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SendAsync_NoPairAndNoFallback_DropsAndCountsNothing_FallbackPairSends_SelectedPairWins()
    {
        using var world = new World();
        await world.Driver.SendAsync(new byte[] { 23, 1 }, static () => null, CancellationToken.None);
        world.Deliver();
        Assert.That(world.AtPeer, Is.Empty);
        Assert.That(world.Driver.DataCounters.PacketsSent, Is.Zero);

        await world.Driver.SendAsync(new byte[] { 23, 2 }, () => world.PairTo(world.Peer.LocalEndPoint), CancellationToken.None);
        world.Driver.SetSelectedPair(world.PairTo(world.Peer.LocalEndPoint));
        await world.Driver.SendAsync(new byte[] { 23, 3 }, static () => throw new AssertionException("the selected pair is used"), CancellationToken.None);
        world.Deliver();

        Assert.That(world.AtPeer.Select(d => d[1]), Is.EqualTo(new byte[] { 2, 3 }));
        Assert.That(world.Driver.DataCounters.PacketsSent, Is.EqualTo(2));
        Assert.That(world.Driver.DataCounters.BytesSent, Is.EqualTo(4));
    }

    [Test]
    public async Task CloseAsync_StopsReceivingClosesSocketsAndRefusesLaterSockets()
    {
        using var world = new World();
        world.Driver.SetSelectedPair(world.PairTo(world.Peer.LocalEndPoint));
        await world.Driver.CloseAsync().WaitAsync(TimeSpan.FromSeconds(10));

        world.PeerSends([23, 5]);
        Assert.That(world.Data, Is.Empty);
        Assert.That(world.Handled, Is.Empty);
        Assert.That(world.Driver.HasSendPath, Is.False);
        Assert.That(world.Driver.TrySendSegments(new byte[] { 23, 1 }, 1), Is.False);

        var late = world.Host.BindSocket(new IPEndPoint(s_local, 0));
        world.Driver.AddHostSocket(late);
        Assert.That(late.Closed, Is.True, "a socket handed over after close is closed at once");
    }

    private sealed class World : IDisposable
    {
        private readonly ManualTimeProvider _clock = new();
        private readonly VirtualNetwork _network;
        private readonly CancellationTokenSource _cts = new();

        public World()
        {
            _network = new VirtualNetwork(_clock);
            Host = _network.AddHost("local", s_local);
            var peerHost = _network.AddHost("peer", s_remote);
            Peer = peerHost.BindSocket(new IPEndPoint(s_remote, 0));
            _ = Peer.StartReceiving((d, _) => AtPeer.Add(d.ToArray()), _cts.Token);
            Driver = new IceSocketDriver((d, b, s) => Handled.Add((d.ToArray(), b, s)), new CapturingLogger(), _cts.Token)
            {
                DataReceiver = d => Data.Add(d.ToArray()),
            };
            Base = Driver.AddHostSocket(Host.Bind(new IPEndPoint(s_local, 0)));
            Driver.StartReceiving(Base);
        }

        public VirtualHost Host { get; }

        public VirtualSocket Peer { get; }

        public IceSocketDriver Driver { get; }

        public IPEndPoint Base { get; }

        public List<byte[]> AtPeer { get; } = [];

        public List<byte[]> Data { get; } = [];

        public List<(byte[] Bytes, IPEndPoint Base, IPEndPoint Source)> Handled { get; } = [];

        public IceSelectedPair PairTo(IPEndPoint remote)
        {
            var local = Candidate(Base);
            return new IceSelectedPair(local, Base, Candidate(remote), remote);
        }

        public void PeerSends(params byte[][] datagrams)
        {
            foreach (var datagram in datagrams)
            {
                Peer.SendTo(datagram, Base);
            }

            Deliver();
        }

        public void Deliver() => Pump.For(_clock, TimeSpan.FromMilliseconds(10));

        public void Dispose()
        {
            _cts.Cancel();
            _ = Driver.CloseAsync();
            Peer.Dispose();
            _network.Dispose();
            _cts.Dispose();
        }

        private static IceCandidate Candidate(IPEndPoint endPoint)
        {
            Assert.That(IceCandidate.TryParse($"candidate:1 1 udp 2130706431 {endPoint.Address} {endPoint.Port} typ host", out var candidate, out _), Is.True);
            return candidate!;
        }
    }
}
