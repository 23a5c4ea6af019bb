using Kvs.WebRtc.PeerConnection.Ice;
using Kvs.WebRtc.PeerConnection.Turn;
using Kvs.WebRtc.InteropTests.Support;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Turn;

/// <summary>
/// Refreshes against coturn run with tiny lifetimes (allocation 4 s, permission 4 s, channel 5 s) and a nonce that
/// goes stale after 2 s: after several lifetimes the allocations, permissions and channels must still carry data,
/// and the refreshes must have met (and recovered from) real 438 Stale Nonce answers.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
public sealed class CoturnRefreshInteropTests
{
    private CoturnServer _coturn = null!;

    [OneTimeSetUp]
    public async Task StartCoturn()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        _coturn = await CoturnServer.StartAsync(
            cts.Token, "--max-allocate-lifetime=4", "--permission-lifetime=4", "--channel-lifetime=5", "--stale-nonce=2");
    }

    [OneTimeTearDown]
    public async Task StopCoturn()
    {
        if (_coturn is not null)
        {
            await _coturn.DisposeAsync();
        }
    }

    [Test]
    public async Task ShortLifetimes_RefreshesWithStaleNonceRetries_KeepDataFlowing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var token = cts.Token;
        var factory = new TurnRelayFactory(new TurnRelayOptions
        {
            PermissionRefreshInterval = TimeSpan.FromSeconds(2),
            ChannelRefreshInterval = TimeSpan.FromSeconds(2.5),
        });
        var server = new IceRelayServer("127.0.0.1", _coturn.Port, IceRelayProtocol.Udp, CoturnServer.User, CoturnServer.Password);
        await using var a = await factory.AllocateTurnAsync(server, token);
        await using var b = await factory.AllocateTurnAsync(server with { Protocol = IceRelayProtocol.Tcp }, token);
        var toA = RelayTraffic.Inbox(a);
        var toB = RelayTraffic.Inbox(b);
        await a.PermitAsync(b.RelayedAddress.Address, token);
        await b.PermitAsync(a.RelayedAddress.Address, token);
        await RelayTraffic.Deliver(a, b.RelayedAddress, toB, "warm-up-b", token);
        await RelayTraffic.Deliver(b, a.RelayedAddress, toA, "warm-up-a", token);

        // Three allocation lifetimes later (refresh at 80% = 3.2 s; the nonce is stale by then).
        await Task.Delay(TimeSpan.FromSeconds(7), token);

        Assert.That(await RelayTraffic.Deliver(a, b.RelayedAddress, toB, "late-b", token), Is.EqualTo((a.RelayedAddress, "late-b")), _coturn.Log);
        Assert.That(await RelayTraffic.Deliver(b, a.RelayedAddress, toA, "late-a", token), Is.EqualTo((b.RelayedAddress, "late-a")), _coturn.Log);
        Assert.That(a.HasChannel(b.RelayedAddress) && b.HasChannel(a.RelayedAddress), Is.True);
        Assert.That(a.RefreshCounters.RefreshesSucceeded, Is.GreaterThanOrEqualTo(1));
        Assert.That(b.RefreshCounters.RefreshesSucceeded, Is.GreaterThanOrEqualTo(1));
        Assert.That(a.RefreshCounters.StaleNonceRetries + b.RefreshCounters.StaleNonceRetries, Is.GreaterThanOrEqualTo(1), _coturn.Log);
    }
}
