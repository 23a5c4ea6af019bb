using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.PeerConnection.Turn;
using Kvs.WebRtc.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Turn;

/// <summary>The async driver over loopback UDP against a scripted server, with a manual clock.</summary>
[TestFixture]
public sealed class TurnAllocationTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);
    private static readonly IPEndPoint s_peer = new(IPAddress.Parse("127.0.0.1"), 40000);

    [Test]
    public async Task Allocate_ThenClockReachesRefreshTime_SendsRefresh()
    {
        await using var server = new FakeUdpTurnServer();
        var clock = new ManualTimeProvider();
        await using var allocation = await AllocateAsync(server, clock);
        Assert.That(allocation.RelayedAddress, Is.EqualTo(ScriptedTurnServer.Relayed));
        Assert.That(allocation.ReflexiveAddress, Is.EqualTo(ScriptedTurnServer.Mapped));

        clock.Advance(TimeSpan.FromSeconds(539));
        Assert.That(server.Requests.Count(r => r.Method == StunMethod.Refresh), Is.Zero);
        clock.Advance(TimeSpan.FromSeconds(1));
        await WaitFor(() => server.Requests.Any(r => r.Method == StunMethod.Refresh));
        var refresh = server.Requests.First(r => r.Method == StunMethod.Refresh);
        Assert.That((refresh.Lifetime, refresh.IntegrityValid), Is.EqualTo(((TimeSpan?)TimeSpan.FromSeconds(600), true)));
    }

    [Test]
    public async Task RefreshRejected_RaisesFailedWithAllocationLost()
    {
        await using var server = new FakeUdpTurnServer();
        server.Respond = r => r.Method == StunMethod.Refresh ? server.Script.Error(r, 437, "Allocation Mismatch") : server.DefaultRespond(r);
        var clock = new ManualTimeProvider();
        await using var allocation = await AllocateAsync(server, clock, closeTimeout: TimeSpan.Zero);
        var failed = new TaskCompletionSource<Exception>(TaskCreationOptions.RunContinuationsAsynchronously);
        allocation.Failed += ex => failed.TrySetResult(ex);

        clock.Advance(TimeSpan.FromSeconds(540));
        var exception = await failed.Task.WaitAsync(s_wait);
        Assert.That(exception, Is.TypeOf<TurnException>());
        Assert.That(((TurnException)exception).Error, Is.EqualTo(TurnError.AllocationLost));
        Assert.That(((TurnException)exception).StunErrorCode, Is.EqualTo(437));
        Assert.ThrowsAsync<TurnException>(async () => await allocation.SendAsync(s_peer, new byte[] { 1 }, CancellationToken.None));
    }

    [Test]
    public async Task PermitThenSend_UsesSendIndicationUntilChannelIsBound_ThenChannelData()
    {
        await using var server = new FakeUdpTurnServer();
        var clock = new ManualTimeProvider();
        await using var allocation = await AllocateAsync(server, clock);
        await allocation.PermitAsync(s_peer.Address, CancellationToken.None).AsTask().WaitAsync(s_wait);
        Assert.That(server.Requests.Any(r => r.Method == StunMethod.CreatePermission && r.Peer!.Address.Equals(s_peer.Address) && r.IntegrityValid), Is.True);

        await allocation.SendAsync(s_peer, new byte[] { 1, 2, 3 }, CancellationToken.None);
        await WaitFor(() => allocation.HasChannel(s_peer));
        Assert.That(server.Requests.Any(r => r.Method == StunMethod.ChannelBind && r.Channel == 0x4000 && s_peer.Equals(r.Peer)), Is.True);
        await WaitFor(() => server.Datagrams.Any(d => StunMessage.TryParse(d, out var m, out _) && m.Method == StunMethod.Send));

        await allocation.SendAsync(s_peer, new byte[] { 4, 5, 6 }, CancellationToken.None);
        await WaitFor(() => server.Datagrams.Any(d => d.AsSpan().SequenceEqual(new byte[] { 0x40, 0x00, 0x00, 0x03, 4, 5, 6 })));
        Assert.That(allocation.Counters.SendIndicationsSent, Is.EqualTo(1));
        Assert.That(allocation.Counters.ChannelDataSent, Is.EqualTo(1));
    }

    [Test]
    public async Task DataIndicationFromPermittedPeer_ReachesReceiver()
    {
        await using var server = new FakeUdpTurnServer();
        var clock = new ManualTimeProvider();
        await using var allocation = await AllocateAsync(server, clock);
        var received = new TaskCompletionSource<(IPEndPoint, byte[])>(TaskCreationOptions.RunContinuationsAsynchronously);
        allocation.Receiver = (peer, data) => received.TrySetResult((peer, data.ToArray()));
        await allocation.PermitAsync(s_peer.Address, CancellationToken.None).AsTask().WaitAsync(s_wait);

        server.SendToClient(ScriptedTurnServer.DataIndication(s_peer, [9, 9]));
        var (from, payload) = await received.Task.WaitAsync(s_wait);
        Assert.That(from, Is.EqualTo(s_peer));
        Assert.That(payload, Is.EqualTo(new byte[] { 9, 9 }));
    }

    [Test]
    public async Task Dispose_SendsRefreshWithLifetimeZero()
    {
        await using var server = new FakeUdpTurnServer();
        var clock = new ManualTimeProvider();
        var allocation = await AllocateAsync(server, clock);
        await allocation.DisposeAsync().AsTask().WaitAsync(s_wait);
        Assert.That(server.Requests.Any(r => r.Method == StunMethod.Refresh && r.Lifetime == TimeSpan.Zero && r.IntegrityValid), Is.True);
        await allocation.DisposeAsync();
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await allocation.SendAsync(s_peer, new byte[] { 1 }, CancellationToken.None));
    }

    [Test]
    public async Task Allocate_WrongPassword_ThrowsUnauthorized()
    {
        await using var server = new FakeUdpTurnServer();
        server.Respond = r => r.Method == StunMethod.Allocate && !r.IntegrityValid ? server.Script.Unauthorized(r, "n") : server.DefaultRespond(r);
        var factory = new TurnRelayFactory(new TurnRelayOptions(), new ManualTimeProvider(), NullLoggerFactory.Instance);
        var relay = new IceRelayServer("127.0.0.1", server.Port, IceRelayProtocol.Udp, ScriptedTurnServer.Username, "wrong-password");
        var ex = Assert.ThrowsAsync<TurnException>(async () => await factory.AllocateAsync(relay, CancellationToken.None).AsTask().WaitAsync(s_wait));
        Assert.That((ex!.Error, ex.StunErrorCode), Is.EqualTo((TurnError.Unauthorized, 401)));
        Assert.That(ex.ToString(), Does.Not.Contain("wrong-password"));
    }

    [Test]
    public async Task Logs_NeverContainThePassword()
    {
        await using var server = new FakeUdpTurnServer();
        var logger = new CapturingLoggerFactory();
        var factory = new TurnRelayFactory(new TurnRelayOptions(), new ManualTimeProvider(), logger);
        var relay = new IceRelayServer("127.0.0.1", server.Port, IceRelayProtocol.Udp, ScriptedTurnServer.Username, ScriptedTurnServer.Password);
        var allocation = await factory.AllocateAsync(relay, CancellationToken.None).AsTask().WaitAsync(s_wait);
        await allocation.DisposeAsync();
        var lines = logger.Snapshot();
        Assert.That(lines, Is.Not.Empty);
        Assert.That(lines, Has.None.Contains(ScriptedTurnServer.Password));
        Assert.That(relay.ToString(), Does.Not.Contain(ScriptedTurnServer.Password));
    }

    private static async Task<TurnAllocation> AllocateAsync(FakeUdpTurnServer server, ManualTimeProvider clock, TimeSpan? closeTimeout = null)
    {
        var factory = new TurnRelayFactory(new TurnRelayOptions { CloseTimeout = closeTimeout ?? TimeSpan.FromSeconds(1) }, clock, NullLoggerFactory.Instance);
        var relay = new IceRelayServer("127.0.0.1", server.Port, IceRelayProtocol.Udp, ScriptedTurnServer.Username, ScriptedTurnServer.Password);
        return await factory.AllocateTurnAsync(relay).WaitAsync(s_wait);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(s_wait);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        private readonly List<string> _lines = [];

        public string[] Snapshot()
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => this;

        public void Dispose()
        {
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add(formatter(state, exception) + exception);
            }
        }
    }
}
