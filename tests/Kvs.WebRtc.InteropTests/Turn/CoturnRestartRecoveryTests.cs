using System.Collections.Concurrent;
using System.Diagnostics;
using Kvs.WebRtc.InteropTests.Support;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.InteropTests.Turn;

/// <summary>
/// TURN loss (docs/recovery.md): two connections that may only use relays (policy relay) talk through coturn; coturn is
/// restarted mid-session and forgets both allocations. Consent is lost, one side restarts ICE, the restart checks the
/// relays (the refresh is refused by the new coturn), allocates new ones, and the same data channel carries messages
/// again over the new relays.
/// </summary>
[TestFixture]
[Category("Interop")]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class CoturnRestartRecoveryTests
{
    [Test]
    public async Task CoturnRestartsMidSession_RelayOnlyConnectionRestartsIceAndCarriesDataAgain(CancellationToken cancellationToken)
    {
        await using var coturn = await CoturnServer.StartAsync(cancellationToken);
        var configuration = new RTCConfiguration
        {
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            EnableIpv6 = false,
            IceServers = [new RTCIceServer { Urls = [coturn.TurnUri("udp")], Username = CoturnServer.User, Credential = CoturnServer.Password }],
        };
        await using var a = new RTCPeerConnection(configuration);
        await using var b = new RTCPeerConnection(configuration);
        InProcessSignaling.Trickle(a, b, cancellationToken);
        InProcessSignaling.Trickle(b, a, cancellationToken);
        var received = new ConcurrentQueue<string>();
        var remoteTask = PeerConnectionWaits.NextRemoteChannelAsync(b, cancellationToken);
        var local = a.CreateDataChannel("relay");
        local.MessageReceived += (_, e) => received.Enqueue("a:" + e.Text);
        await InProcessSignaling.NegotiateAsync(a, b, cancellationToken);
        await WaitAsync(() => local.ReadyState == RTCDataChannelState.Open, TimeSpan.FromSeconds(20), "channel open", a, b, coturn);
        var remote = await remoteTask.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        remote.MessageReceived += (_, e) => received.Enqueue("b:" + e.Text);
        var pairBefore = a.GetStats().SelectedCandidatePair;
        Assert.That(pairBefore, Does.Contain("relay"), "relay-only policy: the pair is relayed");

        await coturn.RestartAsync(cancellationToken);
        await WaitAsync(() => a.IceConnectionState is RTCIceConnectionState.Disconnected or RTCIceConnectionState.Failed,
            TimeSpan.FromSeconds(30), "consent lost through the forgotten relays", a, b, coturn);
        var restartedAfter = Stopwatch.StartNew();
        a.RestartIce();
        await InProcessSignaling.NegotiateAsync(a, b, cancellationToken);
        await WaitAsync(() => a.ConnectionState == RTCPeerConnectionState.Connected && b.ConnectionState == RTCPeerConnectionState.Connected
            && a.GetStats().SelectedCandidatePair is { } pair && pair != pairBefore, TimeSpan.FromSeconds(30), "connected on new relays", a, b, coturn);
        local.Send("after");
        remote.Send("after");
        await WaitAsync(() => received.Count >= 2, TimeSpan.FromSeconds(15), "messages on the new relays", a, b, coturn);
        await TestContext.Out.WriteLineAsync($"recovered {restartedAfter.Elapsed.TotalSeconds:0.0} s after the restart; pair {a.GetStats().SelectedCandidatePair}");

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EquivalentTo(new[] { "a:after", "b:after" }));
            Assert.That(a.GetStats().SelectedCandidatePair, Does.Contain("relay"));
            Assert.That(a.Failure, Is.Null);
        });
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, string what, RTCPeerConnection a, RTCPeerConnection b, CoturnServer coturn)
    {
        var started = Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > limit)
            {
                Assert.Fail($"Not reached within {limit}: {what}. a: ice {a.IceConnectionState}, {a.ConnectionState}, pair {a.GetStats().SelectedCandidatePair ?? "-"}; "
                    + $"b: ice {b.IceConnectionState}, {b.ConnectionState}\ncoturn:\n{coturn.Log}");
            }

            await Task.Delay(20);
        }
    }
}
