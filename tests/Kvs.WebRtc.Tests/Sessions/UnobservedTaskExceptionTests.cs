using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.Emulator;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.Sessions;
using NUnit.Framework;

namespace Kvs.WebRtc.Tests.Sessions;

/// <summary>
/// Peer connections and sessions disposed in the middle of ICE gathering, with TURN and STUN servers (by IP and by
/// host name, so DNS lookups run) on loopback ports where nothing listens: every task they started is observed, so
/// no <see cref="TaskScheduler.UnobservedTaskException"/> is raised once the garbage is collected.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class UnobservedTaskExceptionTests : SessionFixture
{
    private static readonly int s_deadPort = FindDeadPort();
    private readonly ConcurrentQueue<Exception> _unobserved = new();

    /// <inheritdoc />
    protected override string ChannelPrefix => "unobserved-";

    /// <inheritdoc />
    protected override KvsEmulatorOptions CreateEmulatorOptions()
    {
        // Masters of one channel restart within a second here; separate signaling clients may then sign identical URLs.
        var options = new KvsEmulatorOptions { TurnSharedSecret = "not-a-real-turn-server" };
        foreach (var uri in DeadTurnUris())
        {
            options.TurnUris.Add(uri);
        }

        return options;
    }

    [SetUp]
    public void Subscribe()
    {
        CollectGarbage();
        _unobserved.Clear();
        TaskScheduler.UnobservedTaskException += OnUnobserved;
    }

    [TearDown]
    public void Unsubscribe() => TaskScheduler.UnobservedTaskException -= OnUnobserved;

    [Test]
    public async Task PeerConnections_DisposedMidGatheringWithDeadTurnAndStun_LeaveNoUnobservedTaskException(CancellationToken cancellationToken)
    {
        var configuration = Loopback;
        configuration.IceServers =
        [
            new RTCIceServer { Urls = DeadTurnUris(), Username = "user", Credential = "password" },
            new RTCIceServer { Urls = [$"stun:localhost:{s_deadPort}", $"stun:127.0.0.1:{s_deadPort}"] },
        ];

        for (var round = 0; round < 20; round++)
        {
            var peer = new RTCPeerConnection(configuration);
            peer.CreateDataChannel("data");
            var offer = await peer.CreateOfferAsync(cancellationToken);
            await peer.SetLocalDescriptionAsync(offer, cancellationToken);

            // Some right away, some once lookups and allocations are under way.
            await Task.Delay(round % 4 * 15, cancellationToken);
            await peer.DisposeAsync();
        }

        AssertNoneUnobserved();
    }

    [Test]
    public async Task Sessions_DisposedMidGatheringWithDeadTurn_LeaveNoUnobservedTaskException(CancellationToken cancellationToken)
    {
        var channel = CreateChannelOptions(o => o.UseTurn = true);
        for (var round = 0; round < 4; round++)
        {
            var master = await MasterSession.StartAsync(new MasterSessionOptions { PeerConfiguration = Loopback, Channel = channel }, cancellationToken);
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var connecting = ViewerSession.ConnectAsync(new ViewerSessionOptions { ClientId = "viewer-" + round, PeerConfiguration = Loopback, Channel = channel }, giveUp.Token);

            // Both sides go away while they gather (and allocate on the dead TURN server).
            await Task.Delay(50 + (round * 50), cancellationToken);
            await master.DisposeAsync();
            await giveUp.CancelAsync();
            try
            {
                await using var viewer = await connecting;
            }
            catch (OperationCanceledException) when (giveUp.IsCancellationRequested)
            {
            }
        }

        AssertNoneUnobserved();
    }

    private static IReadOnlyList<string> DeadTurnUris() =>
    [
        $"turn:127.0.0.1:{s_deadPort}?transport=udp",
        $"turn:localhost:{s_deadPort}?transport=tcp",
        $"turns:localhost:{s_deadPort}?transport=tcp",
    ];

    private static int FindDeadPort()
    {
        using var tcp = new TcpListener(IPAddress.Loopback, 0);
        tcp.Start();
        var port = ((IPEndPoint)tcp.LocalEndpoint).Port;
        tcp.Stop();
        return port;
    }

    private static void CollectGarbage()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    private void AssertNoneUnobserved()
    {
        CollectGarbage();
        Assert.That(_unobserved.Select(e => e.ToString()), Is.Empty);
    }

    private void OnUnobserved(object? sender, UnobservedTaskExceptionEventArgs e) => _unobserved.Enqueue(e.Exception);
}
