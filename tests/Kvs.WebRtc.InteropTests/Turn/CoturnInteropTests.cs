using System.Net;
using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Turn;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Turn;

/// <summary>
/// Our TURN client against coturn (an independent implementation): allocations over UDP, TCP and TLS, relayed
/// datagrams between two of our allocations in both directions (Send/Data indications, then ChannelData), and
/// rejected credentials.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class CoturnInteropTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);
    private CoturnServer _coturn = null!;
    private TurnRelayFactory _factory = null!;

    [OneTimeSetUp]
    public async Task StartCoturn()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        _coturn = await CoturnServer.StartAsync(cts.Token);
        var pinned = _coturn.Certificate.GetCertHashString();
        _factory = new TurnRelayFactory(new TurnRelayOptions
        {
            AllocateTimeout = TimeSpan.FromSeconds(10),
            ServerCertificateValidation = (_, certificate, _, _) =>
                certificate is not null && string.Equals(certificate.GetCertHashString(), pinned, StringComparison.OrdinalIgnoreCase),
        });
    }

    [OneTimeTearDown]
    public async Task StopCoturn()
    {
        if (_coturn is not null)
        {
            await _coturn.DisposeAsync();
        }
    }

    [TestCase("Udp")]
    [TestCase("Tcp")]
    [TestCase("Tls")]
    public async Task Allocate_OverEachTransport_GivesRelayedAddressInRelayRange(string protocol)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        await using var allocation = await _factory.AllocateTurnAsync(Server(protocol), cts.Token);
        Assert.That(allocation.RelayedAddress.Address, Is.EqualTo(IPAddress.Loopback), _coturn.Log);
        Assert.That(allocation.RelayedAddress.Port, Is.InRange(_coturn.MinRelayPort, _coturn.MaxRelayPort));
        Assert.That(allocation.ReflexiveAddress, Is.EqualTo(allocation.LocalEndPoint));
    }

    [TestCase("Udp", "Udp")]
    [TestCase("Tcp", "Tls")]
    public async Task TwoAllocations_ExchangeDatagrams_BothDirections_ViaIndicationsThenChannels(string first, string second)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var token = cts.Token;
        await using var a = await _factory.AllocateTurnAsync(Server(first), token);
        await using var b = await _factory.AllocateTurnAsync(Server(second), token);
        var toA = RelayTraffic.Inbox(a);
        var toB = RelayTraffic.Inbox(b);
        await a.PermitAsync(b.RelayedAddress.Address, token);
        await b.PermitAsync(a.RelayedAddress.Address, token);

        // Before any channel exists, the first datagram travels as a Send indication and arrives as a Data indication.
        Assert.That(a.HasChannel(b.RelayedAddress), Is.False);
        var (fromA, payload1) = await RelayTraffic.Deliver(a, b.RelayedAddress, toB, "hello-b-1", token);
        Assert.That((fromA, payload1), Is.EqualTo((a.RelayedAddress, "hello-b-1")));
        var (fromB, payload2) = await RelayTraffic.Deliver(b, a.RelayedAddress, toA, "hello-a-1", token);
        Assert.That((fromB, payload2), Is.EqualTo((b.RelayedAddress, "hello-a-1")));
        Assert.That(a.Counters.SendIndicationsSent, Is.GreaterThanOrEqualTo(1));
        Assert.That(b.Counters.DataIndicationsReceived, Is.GreaterThanOrEqualTo(1));

        // That first send asked for a channel; once both are bound, ChannelData flows in both directions.
        await WaitUntil(() => a.HasChannel(b.RelayedAddress) && b.HasChannel(a.RelayedAddress), token);
        for (var i = 0; i < 5; i++)
        {
            var odd = "chan-" + new string('x', i); // odd lengths exercise ChannelData padding over TCP/TLS
            Assert.That(await RelayTraffic.Deliver(a, b.RelayedAddress, toB, odd + "-b", token), Is.EqualTo((a.RelayedAddress, odd + "-b")));
            Assert.That(await RelayTraffic.Deliver(b, a.RelayedAddress, toA, odd + "-a", token), Is.EqualTo((b.RelayedAddress, odd + "-a")));
        }

        Assert.That(a.Counters.ChannelDataSent, Is.GreaterThanOrEqualTo(5));
        Assert.That(b.Counters.ChannelDataSent, Is.GreaterThanOrEqualTo(5));
        Assert.That(a.Counters.ChannelDataReceived, Is.GreaterThanOrEqualTo(5));
        Assert.That(b.Counters.ChannelDataReceived, Is.GreaterThanOrEqualTo(5));
        Assert.That(a.DroppedMessages + b.DroppedMessages, Is.Zero, _coturn.Log);
    }

    [TestCase("Udp")]
    [TestCase("Tcp")]
    public void Allocate_WrongPassword_FailsUnauthorized(string protocol)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var server = Server(protocol) with { Password = "not-the-password" };
        var ex = Assert.ThrowsAsync<TurnException>(async () => await _factory.AllocateTurnAsync(server, cts.Token));
        Assert.That((ex!.Error, ex.StunErrorCode), Is.EqualTo((TurnError.Unauthorized, 401)));
        Assert.That(ex.Message, Does.Not.Contain("not-the-password"));
    }

    [Test]
    public void Allocate_Tls_UntrustedCertificateWithDefaultValidation_FailsTransport()
    {
        using var cts = new CancellationTokenSource(s_timeout);
        var strict = new TurnRelayFactory(new TurnRelayOptions { AllocateTimeout = TimeSpan.FromSeconds(10) });
        var ex = Assert.ThrowsAsync<TurnException>(async () => await strict.AllocateTurnAsync(Server(IceRelayProtocol.Tls), cts.Token));
        Assert.That(ex!.Error, Is.EqualTo(TurnError.TransportFailed));
        Assert.That(ex.InnerException, Is.InstanceOf<System.Security.Authentication.AuthenticationException>());
    }

    private IceRelayServer Server(string protocol) => Server(Enum.Parse<IceRelayProtocol>(protocol));

    private IceRelayServer Server(IceRelayProtocol protocol) =>
        new("127.0.0.1", protocol == IceRelayProtocol.Tls ? _coturn.TlsPort : _coturn.Port, protocol, CoturnServer.User, CoturnServer.Password);

    private static Task WaitUntil(Func<bool> condition, CancellationToken token) => Wait.UntilAsync(condition, TimeSpan.FromMinutes(1), cancellationToken: token);
}
