using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.Testing;
using Kvs.WebRtc.Testing.Network;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

/// <summary>
/// The gatherer alone (no agent, no socket driver): what it binds, resolves and allocates, and in which order it tells
/// its sink. Host sockets come from a <see cref="VirtualNetwork"/>, relays from <see cref="FakeIceRelayFactory"/>.
/// </summary>
[TestFixture]
public sealed class IceGathererTests
{
    private static readonly IPAddress s_a1 = IPAddress.Parse("127.40.0.1");
    private static readonly IPAddress s_a2 = IPAddress.Parse("127.40.0.2");

    [Test]
    public void BindHostSockets_OneSocketPerAddress_IndexedWithinItsFamily()
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", [s_a1, IPAddress.IPv6Loopback, s_a2]);
        var sink = new RecordingSink();
        var gatherer = Create(new IceTransportOptions { SocketFactory = host }, host, sink);

        var bound = gatherer.BindHostSockets();

        Assert.That(bound, Is.EqualTo(3));
        Assert.That(sink.Sockets.Select(s => (s.Socket.LocalEndPoint.Address, s.Index)), Is.EqualTo(new[]
        {
            (s_a1, 0), (IPAddress.IPv6Loopback, 0), (s_a2, 1),
        }));
        Assert.That(sink.Sockets.All(s => s.Socket.LocalEndPoint.Port != 0), Is.True, "bound to a real port");
        DisposeAll(sink);
    }

    [Test]
    public void BindHostSockets_AddressThatCannotBeBound_IsSkippedAndLoggedTheOthersKeepTheirIndex()
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", [s_a1, s_a2]);
        var sink = new RecordingSink();
        var logger = new CapturingLogger();
        var foreign = IPAddress.Parse("127.99.0.1");
        var gatherer = Create(new IceTransportOptions { SocketFactory = host, HostAddresses = [s_a1, foreign, s_a2] }, host, sink, logger: logger);

        var bound = gatherer.BindHostSockets();

        Assert.That(bound, Is.EqualTo(2));
        Assert.That(sink.Sockets.Select(s => (s.Socket.LocalEndPoint.Address, s.Index)), Is.EqualTo(new[] { (s_a1, 0), (s_a2, 1) }));
        Assert.That(logger.Lines.Any(l => l.Contains("could not bind", StringComparison.Ordinal) && l.Contains(foreign.ToString(), StringComparison.Ordinal)), Is.True);
        DisposeAll(sink);
    }

    [Test]
    public void BindHostSockets_RelayOnlyPolicy_BindsNothing()
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", s_a1);
        var sink = new RecordingSink();
        var gatherer = Create(new IceTransportOptions { SocketFactory = host, Policy = IceTransportPolicy.Relay }, host, sink);

        Assert.That(gatherer.BindHostSockets(), Is.Zero);
        Assert.That(sink.Sockets, Is.Empty);
    }

    [Test]
    public async Task GatherServersAsync_StunAndTurnServers_ReportsServersAndRelaysThenDoneLast()
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", s_a1);
        var relays = new FakeIceRelayFactory();
        var sink = new RecordingSink();
        var servers = new List<IceServer>();
        servers.AddRange(IceServer.FromUrls(["stun:192.0.2.10:3478", "stun:192.0.2.11:3478?transport=tcp"]));
        servers.AddRange(IceServer.FromUrls(["turn:192.0.2.20:3478", "turns:192.0.2.21:5349"], "user", "secret-password"));
        servers.AddRange(IceServer.FromUrls(["turn:192.0.2.22:3478"]));
        var gatherer = Create(new IceTransportOptions { SocketFactory = host, Servers = servers }, host, sink, relays);

        await gatherer.GatherServersAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(sink.StunServers, Is.EqualTo(new[] { new IPEndPoint(IPAddress.Parse("192.0.2.10"), 3478) }), "UDP STUN only");
        Assert.That(relays.Requests.Select(r => r.Host), Is.EquivalentTo(new[] { "192.0.2.20", "192.0.2.21" }), "TURN without credentials is skipped");
        Assert.That(sink.Relays.Select(r => (r.ServerAddress, r.Preference)), Is.EquivalentTo(new[]
        {
            (IPAddress.Parse("192.0.2.20"), 65535), (IPAddress.Parse("192.0.2.21"), 16383),
        }));
        Assert.That(sink.Calls[^1], Is.EqualTo("done"));
        Assert.That(sink.Calls.Count(c => c == "done"), Is.EqualTo(1));
        foreach (var (relay, _, _) in sink.Relays)
        {
            await relay.DisposeAsync();
        }
    }

    [Test]
    public async Task GatherServersAsync_AllocationRefused_NoRelayButStillDoneAndLogged()
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", s_a1);
        var relays = new FakeIceRelayFactory { Fail = true };
        var sink = new RecordingSink();
        var logger = new CapturingLogger();
        var options = new IceTransportOptions { SocketFactory = host, Servers = [.. IceServer.FromUrls(["turn:192.0.2.20:3478"], "user", "secret-password")] };
        var gatherer = Create(options, host, sink, relays, logger);

        await gatherer.GatherServersAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(sink.Relays, Is.Empty);
        Assert.That(sink.Calls, Is.EqualTo(new[] { "done" }));
        Assert.That(logger.Lines.Any(l => l.Contains("allocation", StringComparison.Ordinal) && l.Contains("refused", StringComparison.Ordinal)), Is.True);
        Assert.That(logger.Lines.Any(l => l.Contains("secret-password", StringComparison.Ordinal)), Is.False, "no TURN password in logs");
    }

    // A TURN allocation refused because its credential expired is asked for again at the next ICE restart with the
    // credentials of UpdateServers: for the same server when it is still listed, else on the servers now listed.
    [TestCase("turn:192.0.2.20:3478", "192.0.2.20")]
    [TestCase("turn:192.0.2.21:3478", "192.0.2.21")]
    public async Task RenewRefusedRelays_AfterUpdateServers_AsksWithTheNewCredentials(string updatedUrl, string expectedHost)
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", s_a1);
        var relays = new FakeIceRelayFactory { Fail = true };
        var sink = new RecordingSink();
        var options = new IceTransportOptions { SocketFactory = host, Servers = [.. IceServer.FromUrls(["turn:192.0.2.20:3478"], "old-user", "old-password")] };
        var gatherer = Create(options, host, sink, relays);
        await gatherer.GatherServersAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(sink.Relays, Is.Empty, "refused at first");

        relays.Fail = false;
        gatherer.UpdateServers([.. IceServer.FromUrls([updatedUrl], "new-user", "new-password")]);
        gatherer.RenewRefusedRelays();
        await Wait.UntilAsync(() => sink.Relays.Length == 1, TimeSpan.FromSeconds(10));

        var last = relays.Requests.Single(r => r.Username == "new-user");
        Assert.Multiple(() =>
        {
            Assert.That(last.Host, Is.EqualTo(expectedHost));
            Assert.That(last.Password, Is.EqualTo("new-password"));
            Assert.That(relays.Requests.Count(r => r.Username == "old-user"), Is.EqualTo(1), "the old credential was not tried again");
        });

        foreach (var (relay, _, _) in sink.Relays)
        {
            await relay.DisposeAsync();
        }
    }

    [Test]
    public async Task GatherServersAsync_CancelledWhileAllocating_NeverSignalsDone()
    {
        using var net = new VirtualNetwork(new ManualTimeProvider());
        var host = net.AddHost("h", s_a1);
        var relays = new BlockingRelayFactory();
        var sink = new RecordingSink();
        var options = new IceTransportOptions { SocketFactory = host, Servers = [.. IceServer.FromUrls(["turn:192.0.2.20:3478"], "user", "secret-password")] };
        var gatherer = Create(options, host, sink, relays);
        using var cts = new CancellationTokenSource();

        var gathering = gatherer.GatherServersAsync(cts.Token);
        await relays.Started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await gathering.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(sink.Calls, Is.Empty);
    }

    [TestCase("Udp", "udp")]
    [TestCase("Tcp", "tcp")]
    [TestCase("Tls", "tls")]
    public void RelayProtocolOf_ReadsBackTheLocalPreferenceTheGathererGave(string protocolName, string expected)
    {
        var protocol = Enum.Parse<IceRelayProtocol>(protocolName);
        var agent = new IceAgent(IceRole.Controlling);
        agent.AddRelayCandidate(new IPEndPoint(s_a1, 40000), null, null, IceGatherer.RelayLocalPreference(protocol));
        var candidate = agent.LocalCandidates.Single();

        Assert.That(IceGatherer.RelayProtocolOf(candidate), Is.EqualTo(expected));
        Assert.That(IceTransport.RelayProtocolOf(candidate), Is.EqualTo(expected));
    }

    private static IceGatherer Create(IceTransportOptions options, IDatagramSocketFactory sockets, IIceGatheringSink sink, IIceRelayFactory? relays = null,
        CapturingLogger? logger = null) =>
        new(options, sockets, relays, TimeProvider.System, logger ?? new CapturingLogger(), sink);

    private static void DisposeAll(RecordingSink sink)
    {
        foreach (var (socket, _) in sink.Sockets)
        {
            socket.Dispose();
        }
    }

    private sealed class RecordingSink : IIceGatheringSink
    {
        public ConcurrentQueue<string> CallQueue { get; } = new();

        public List<(IDatagramSocket Socket, int Index)> Sockets { get; } = [];

        public ConcurrentQueue<IPEndPoint> StunServerQueue { get; } = new();

        public ConcurrentQueue<(IIceRelay Relay, IPAddress? ServerAddress, int Preference)> RelayQueue { get; } = new();

        public string[] Calls => [.. CallQueue];

        public IPEndPoint[] StunServers => [.. StunServerQueue];

        public (IIceRelay Relay, IPAddress? ServerAddress, int Preference)[] Relays => [.. RelayQueue];

        public void OnHostSocket(IDatagramSocket socket, int familyIndex)
        {
            Sockets.Add((socket, familyIndex));
            CallQueue.Enqueue("host");
        }

        public void OnStunServers(IReadOnlyList<IPEndPoint> servers)
        {
            foreach (var server in servers)
            {
                StunServerQueue.Enqueue(server);
            }

            CallQueue.Enqueue("stun");
        }

        public void OnRelay(IIceRelay relay, IPAddress? serverAddress, int localPreference)
        {
            RelayQueue.Enqueue((relay, serverAddress, localPreference));
            CallQueue.Enqueue("relay");
        }

        public void OnGatheringDone() => CallQueue.Enqueue("done");
    }

    private sealed class BlockingRelayFactory : IIceRelayFactory
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async ValueTask<IIceRelay> AllocateAsync(IceRelayServer server, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new SocketException((int)SocketError.TimedOut);
        }
    }
}
