using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Stun;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.PeerConnection.Tests.Ice;

[TestFixture]
public sealed class IceTransportTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    /// <summary>Wires trickle both ways: every gathered candidate (and end-of-candidates) goes to the other side.</summary>
    /// <returns>Completes once the first end-of-candidates has been handed over.</returns>
    internal static Task Wire(IceTransport from, IceTransport to)
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        from.CandidateGathered += c =>
        {
            if (c is null)
            {
                to.SetRemoteEndOfCandidates();
                ended.TrySetResult();
            }
            else
            {
                to.AddRemoteCandidate(c.ToString());
            }
        };
        return ended.Task;
    }

    private static async Task ConnectAsync(IceTransport a, IceTransport b)
    {
        var endedA = Wire(a, b);
        var endedB = Wire(b, a);
        await a.StartAsync();
        await b.StartAsync();
        a.SetRemoteCredentials(b.LocalCredentials);
        b.SetRemoteCredentials(a.LocalCredentials);
        using var cts = new CancellationTokenSource(s_timeout);
        static bool Up(IceConnectionState s) => s is IceConnectionState.Connected or IceConnectionState.Completed;
        await Task.WhenAll(a.WaitForStateAsync(Up, cts.Token), b.WaitForStateAsync(Up, cts.Token));

        // Signalling is over for this generation only once both end-of-candidates were handed over.
        await Task.WhenAll(endedA, endedB).WaitAsync(cts.Token);
    }

    [Test]
    public async Task Loopback_TwoTransports_ConnectAndCarryDataBothWays()
    {
        var loopback = new[] { IPAddress.Loopback };
        await using var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = loopback });
        await using var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = loopback });
        var atA = new ConcurrentQueue<byte[]>();
        var atB = new ConcurrentQueue<byte[]>();
        a.DataReceiver = d => atA.Enqueue(d.ToArray());
        b.DataReceiver = d => atB.Enqueue(d.ToArray());

        await ConnectAsync(a, b);

        Assert.That(a.SelectedPair, Is.Not.Null);
        Assert.That(b.SelectedPair, Is.Not.Null);
        Assert.That(a.SelectedPair!.LocalBase, Is.EqualTo(b.SelectedPair!.RemoteEndPoint));
        Assert.That(a.SelectedPair.LocalBase.Address, Is.EqualTo(IPAddress.Loopback));

        byte[] dtlsLike = [22, 254, 253, 1, 2, 3];
        byte[] rtpLike = [0x80, 96, 0, 7, 9, 9];
        await a.SendAsync(dtlsLike);
        await b.SendAsync(rtpLike);
        var deadline = DateTime.UtcNow + s_timeout;
        while ((atA.IsEmpty || atB.IsEmpty) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That(atB.TryDequeue(out var gotB) ? gotB : null, Is.EqualTo(dtlsLike));
        Assert.That(atA.TryDequeue(out var gotA) ? gotA : null, Is.EqualTo(rtpLike));
    }

    [Test]
    public async Task Loopback_InterfaceEnumerationWithIncludeLoopback_GathersLoopbackAndEndsGathering()
    {
        await using var a = new IceTransport(new IceTransportOptions { IncludeLoopback = true, IncludeIPv6 = false });
        var gathered = new ConcurrentQueue<IceCandidate?>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.CandidateGathered += c =>
        {
            gathered.Enqueue(c);
            if (c is null)
            {
                ended.TrySetResult();
            }
        };

        await a.StartAsync();
        await ended.Task.WaitAsync(s_timeout);

        var candidates = gathered.Where(c => c is not null).Select(c => c!).ToList();
        Assert.That(candidates.Select(c => c.Address), Does.Contain("127.0.0.1"));
        Assert.That(candidates.All(c => c.Type == IceCandidateType.Host && c.Protocol == IceTransportProtocol.Udp), Is.True);
        Assert.That(gathered.Last(), Is.Null, "end-of-candidates comes last");
    }

    [Test]
    public async Task Loopback_Ipv6_TwoTransportsConnect()
    {
        Assume.That(Socket.OSSupportsIPv6, "IPv6 is unavailable on this machine");
        await using var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = [IPAddress.IPv6Loopback] });
        await using var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = [IPAddress.IPv6Loopback] });

        await ConnectAsync(a, b);

        Assert.That(a.SelectedPair!.RemoteEndPoint.Address, Is.EqualTo(IPAddress.IPv6Loopback));
    }

    [Test]
    public async Task Gathering_StunServer_ServerReflexiveCandidateWithRelatedAddress()
    {
        // A STUN server stand-in that reports a "public" address, as if behind a NAT.
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var serverPort = ((IPEndPoint)server.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource(s_timeout);
        var serving = Task.Run(async () =>
        {
            var buffer = new byte[1500];
            var result = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
            var id = TransactionId.Read(buffer.AsSpan(8, 12));
            var response = new byte[64];
            var writer = new IceStunWriter(response, IceStunWriter.BindingSuccess, id);
            writer.AddXorMappedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.77"), 61000));
            writer.AddFingerprint();
            await server.SendToAsync(writer.Written.ToArray(), SocketFlags.None, result.RemoteEndPoint, stop.Token);
            return (IPEndPoint)result.RemoteEndPoint;
        });
        await using var a = new IceTransport(new IceTransportOptions
        {
            HostAddresses = [IPAddress.Loopback],
            Servers = IceServer.FromUrls([$"stun:127.0.0.1:{serverPort}"]).ToList(),
        });
        var gathered = new ConcurrentQueue<IceCandidate>();
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.CandidateGathered += c =>
        {
            if (c is null)
            {
                ended.TrySetResult();
            }
            else
            {
                gathered.Enqueue(c);
            }
        };

        await a.StartAsync();
        var requestSource = await serving.WaitAsync(s_timeout);
        await ended.Task.WaitAsync(s_timeout);

        var srflx = gathered.Single(c => c.Type == IceCandidateType.ServerReflexive);
        Assert.That(srflx.EndPoint, Is.EqualTo(new IPEndPoint(IPAddress.Parse("192.0.2.77"), 61000)));
        Assert.That((srflx.RelatedAddress, srflx.RelatedPort), Is.EqualTo(("127.0.0.1", (int?)requestSource.Port)));
        Assert.That(gathered.Single(c => c.Type == IceCandidateType.Host).Port, Is.EqualTo(requestSource.Port), "sent from the host socket");
    }

    [Test]
    public async Task RelayOnly_FakeRelayFactory_ConnectsOverRelayCandidates()
    {
        var factoryA = new FakeIceRelayFactory();
        var factoryB = new FakeIceRelayFactory();
        var turn = IceServer.FromUrls(["turn:127.0.0.1:3478?transport=udp"], "user", "pass").ToList();
        await using var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, Policy = IceTransportPolicy.Relay, Servers = turn }, factoryA);
        await using var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, Policy = IceTransportPolicy.Relay, Servers = turn }, factoryB);
        var atB = new ConcurrentQueue<byte[]>();
        b.DataReceiver = d => atB.Enqueue(d.ToArray());

        await ConnectAsync(a, b);

        Assert.That(a.SelectedPair!.Local.Type, Is.EqualTo(IceCandidateType.Relay));
        Assert.That(a.SelectedPair.Local.RelatedAddress, Is.EqualTo("203.0.113.9"));
        Assert.That(factoryA.Requests.Single(), Is.EqualTo(new IceRelayServer("127.0.0.1", 3478, IceRelayProtocol.Udp, "user", "pass")));
        await a.SendAsync(new byte[] { 23, 254, 253, 0 });
        var deadline = DateTime.UtcNow + s_timeout;
        while (atB.IsEmpty && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.That(atB.TryDequeue(out var got) ? got : null, Is.EqualTo(new byte[] { 23, 254, 253, 0 }));
        Assert.That(factoryA.Allocations.Single().Sent, Is.GreaterThan(0));
    }

    [Test]
    public async Task Gathering_RelayAllocationFails_StillEndsGatheringWithHostCandidates()
    {
        var factory = new FakeIceRelayFactory { Fail = true };
        await using var a = new IceTransport(new IceTransportOptions
        {
            HostAddresses = [IPAddress.Loopback],
            Servers = IceServer.FromUrls(["turn:127.0.0.1"], "u", "p").ToList(),
        }, factory);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.CandidateGathered += c =>
        {
            if (c is null)
            {
                ended.TrySetResult();
            }
        };

        await a.StartAsync();
        await ended.Task.WaitAsync(s_timeout);

        Assert.That(a.LocalCandidates.Single().Type, Is.EqualTo(IceCandidateType.Host));
    }

    [Test]
    public async Task Restart_ConnectedTransports_ReconnectWithNewCredentials()
    {
        var loopback = new[] { IPAddress.Loopback };
        await using var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = loopback });
        await using var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = loopback });
        await ConnectAsync(a, b);
        var oldUfrag = a.LocalCredentials.Ufrag;
        var reselected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        a.SelectedPairChanged += p =>
        {
            if (p is not null)
            {
                reselected.TrySetResult();
            }
        };

        // Restart re-announces the local candidates through CandidateGathered, which Wire() trickles again.
        var newA = a.Restart();
        var newB = b.Restart();
        a.SetRemoteCredentials(newB);
        b.SetRemoteCredentials(newA);
        await reselected.Task.WaitAsync(s_timeout);

        Assert.That(newA.Ufrag, Is.Not.EqualTo(oldUfrag));
        Assert.That(a.State, Is.EqualTo(IceConnectionState.Connected).Or.EqualTo(IceConnectionState.Completed));
        Assert.That(a.SelectedPair, Is.Not.Null);
    }

    [Test]
    public async Task Consent_PeerDisappears_DisconnectedThenFailedOnTheFakeClock()
    {
        var clock = new ManualTimeProvider();
        var loopback = new[] { IPAddress.Loopback };
        await using var a = new IceTransport(new IceTransportOptions { Role = IceRole.Controlling, HostAddresses = loopback }, timeProvider: clock);
        var b = new IceTransport(new IceTransportOptions { Role = IceRole.Controlled, HostAddresses = loopback }, timeProvider: clock);
        var states = new ConcurrentQueue<IceConnectionState>();
        a.StateChanged += states.Enqueue;
        _ = Wire(a, b);
        _ = Wire(b, a);
        await a.StartAsync();
        await b.StartAsync();
        a.SetRemoteCredentials(b.LocalCredentials);
        b.SetRemoteCredentials(a.LocalCredentials);

        // Time moves only when the test says so; real sockets still need real moments to deliver.
        for (var i = 0; i < 500 && (a.SelectedPair is null || b.SelectedPair is null); i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(20));
            await Task.Delay(5);
        }

        Assert.That(a.SelectedPair, Is.Not.Null, "connected on the fake clock");
        await b.DisposeAsync(); // the peer vanishes: consent requests go unanswered

        for (var i = 0; i < 80 && a.State != IceConnectionState.Failed; i++)
        {
            clock.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(2);
        }

        Assert.That(a.State, Is.EqualTo(IceConnectionState.Failed));
        Assert.That(a.SelectedPair, Is.Null);
        var deadline = DateTime.UtcNow + s_timeout;
        while (!states.Contains(IceConnectionState.Failed) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        var seen = states.ToList();
        Assert.That(seen.IndexOf(IceConnectionState.Disconnected), Is.GreaterThan(seen.IndexOf(IceConnectionState.Connected)));
        Assert.That(seen.IndexOf(IceConnectionState.Failed), Is.GreaterThan(seen.IndexOf(IceConnectionState.Disconnected)));
    }

    [Test]
    public async Task SendAsync_BeforeAnyPair_DropsWithoutThrowing()
    {
        await using var a = new IceTransport(new IceTransportOptions { HostAddresses = [IPAddress.Loopback] });
        await a.StartAsync();

        Assert.DoesNotThrowAsync(async () => await a.SendAsync(new byte[] { 23, 1 }));
        Assert.That(a.State, Is.EqualTo(IceConnectionState.New));
    }

    [Test]
    public async Task DisposeAsync_Twice_ClosedAndIdempotent()
    {
        var a = new IceTransport(new IceTransportOptions { HostAddresses = [IPAddress.Loopback] });
        await a.StartAsync();
        var waiting = a.WaitForStateAsync(s => s == IceConnectionState.Connected);

        await a.DisposeAsync();
        await a.DisposeAsync();

        Assert.That(a.State, Is.EqualTo(IceConnectionState.Closed));
        Assert.That(await waiting.WaitAsync(s_timeout), Is.EqualTo(IceConnectionState.Closed));
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await a.SendAsync(new byte[] { 23 }));
    }
}
