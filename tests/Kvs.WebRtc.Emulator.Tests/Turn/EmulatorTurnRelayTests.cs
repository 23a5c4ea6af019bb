using System.Collections.Concurrent;
using System.Diagnostics;
using Kvs.WebRtc.PeerConnection;
using Kvs.WebRtc.PeerConnection.DataChannels;
using Kvs.WebRtc.Signaling.ControlPlane.Model;
using Kvs.WebRtc.Testing;
using NUnit.Framework;

namespace Kvs.WebRtc.Emulator.Tests.Turn;

/// <summary>
/// Two of our <see cref="RTCPeerConnection"/>s restricted to relays (<see cref="RTCIceTransportPolicy.Relay"/>) connect
/// through the emulator's TURN server with the credentials GetIceServerConfig minted, exchange data-channel messages,
/// and recover with an ICE restart after <see cref="KvsEmulator.RestartTurnServerAsync"/> dropped their allocations.
/// </summary>
[TestFixture]
[NonParallelizable]
[CancelAfter(120_000)]
public sealed class EmulatorTurnRelayTests
{
    [Test]
    public async Task RelayOnlyPair_ConnectsThroughTheEmulatorTurnServer_AndRecoversAfterItsRestart(CancellationToken cancellationToken)
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { RunTurnServer = true }, cancellationToken);
        var arn = emulator.CreateSignalingChannel("turn-relay");
        using var client = CoreTestSupport.CreateSignalingClient(emulator);
        var config = await client.GetIceServerConfigAsync(new GetIceServerConfigRequest { ChannelARN = arn }, cancellationToken);
        var minted = config.IceServerList!.Single();
        Assert.That(minted.Urls[0], Is.EqualTo($"turn:127.0.0.1:{emulator.TurnServerEndPoint!.Port}?transport=udp"));

        var configuration = new RTCConfiguration
        {
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            EnableIpv6 = false,
            IceServers = [new RTCIceServer { Urls = [.. minted.Urls], Username = minted.Username, Credential = minted.Credential }],
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
        await WaitAsync(() => local.ReadyState == RTCDataChannelState.Open, TimeSpan.FromSeconds(20), "channel open", a, b, emulator);
        var remote = await remoteTask.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        remote.MessageReceived += (_, e) => received.Enqueue("b:" + e.Text);
        local.Send("before");
        remote.Send("before");
        await WaitAsync(() => received.Count >= 2, TimeSpan.FromSeconds(10), "messages through the relay", a, b, emulator);
        var pairBefore = a.GetStats().SelectedCandidatePair;
        Assert.Multiple(() =>
        {
            Assert.That(pairBefore, Does.Contain("relay"), "relay-only policy: the pair is relayed");
            Assert.That(emulator.TurnServer!.AllocationCount, Is.EqualTo(2));
            Assert.That(emulator.TurnServer.RelayedDatagrams, Is.GreaterThan(0));
        });

        await emulator.RestartTurnServerAsync();
        await WaitAsync(() => a.IceConnectionState is RTCIceConnectionState.Disconnected or RTCIceConnectionState.Failed,
            TimeSpan.FromSeconds(30), "consent lost through the forgotten relays", a, b, emulator);
        var restartedAfter = Stopwatch.StartNew();
        a.RestartIce();
        await InProcessSignaling.NegotiateAsync(a, b, cancellationToken);
        await WaitAsync(() => a.ConnectionState == RTCPeerConnectionState.Connected && b.ConnectionState == RTCPeerConnectionState.Connected
            && a.GetStats().SelectedCandidatePair is { } pair && pair != pairBefore, TimeSpan.FromSeconds(30), "connected on new relays", a, b, emulator);
        local.Send("after");
        remote.Send("after");
        await WaitAsync(() => received.Count >= 4, TimeSpan.FromSeconds(15), "messages on the new relays", a, b, emulator);
        await TestContext.Out.WriteLineAsync($"recovered {restartedAfter.Elapsed.TotalSeconds:0.0} s after the restart; pair {a.GetStats().SelectedCandidatePair}; allocations created {emulator.TurnServer!.AllocationsCreated}");

        Assert.Multiple(() =>
        {
            Assert.That(received, Is.EquivalentTo(new[] { "a:before", "b:before", "a:after", "b:after" }));
            Assert.That(a.GetStats().SelectedCandidatePair, Does.Contain("relay"));
            Assert.That(emulator.TurnServer.AllocationsCreated, Is.GreaterThanOrEqualTo(4));
            Assert.That(a.Failure, Is.Null);
        });
    }

    [Test]
    public async Task RelayOnly_ExpiredMintedCredentials_AreRefusedAndNoRelayCandidateAppears(CancellationToken cancellationToken)
    {
        await using var emulator = await KvsEmulator.StartAsync(new KvsEmulatorOptions { RunTurnServer = true, TurnSharedSecret = "s3cret" }, cancellationToken);
        var (username, password) = new Kvs.WebRtc.Emulator.IceServers.TurnCredentialMinter("s3cret", System.Security.Cryptography.HashAlgorithmName.SHA1)
            .Mint("arn:aws:kinesisvideo:us-west-2:123456789012:channel/x/1", DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1));
        var configuration = new RTCConfiguration
        {
            IceTransportPolicy = RTCIceTransportPolicy.Relay,
            EnableIpv6 = false,
            IceServers = [new RTCIceServer { Urls = [emulator.TurnServer!.Uri], Username = username, Credential = password }],
        };
        await using var pc = new RTCPeerConnection(configuration);
        var candidates = new ConcurrentQueue<string>();
        var complete = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        pc.IceCandidate += (_, e) =>
        {
            if (e.Candidate is { } c)
            {
                candidates.Enqueue(c.Candidate);
            }
            else
            {
                complete.TrySetResult();
            }
        };
        _ = pc.CreateDataChannel("x");
        await pc.SetLocalDescriptionAsync(await pc.CreateOfferAsync(cancellationToken), cancellationToken);
        await complete.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(candidates, Is.Empty, "no relay candidate with an expired credential");
            Assert.That(emulator.TurnServer.Unauthorized, Is.GreaterThanOrEqualTo(2), "the unauthenticated try and the expired credential");
            Assert.That(emulator.TurnServer.AllocationCount, Is.Zero);
        });
    }

    private static async Task WaitAsync(Func<bool> condition, TimeSpan limit, string what, RTCPeerConnection a, RTCPeerConnection b, KvsEmulator emulator)
    {
        var started = Stopwatch.StartNew();
        while (!condition())
        {
            if (started.Elapsed > limit)
            {
                var turn = emulator.TurnServer!;
                Assert.Fail($"Not reached within {limit}: {what}. a: ice {a.IceConnectionState}, {a.ConnectionState}, pair {a.GetStats().SelectedCandidatePair ?? "-"}; "
                    + $"b: ice {b.IceConnectionState}, {b.ConnectionState}; turn: allocations {turn.AllocationCount}, created {turn.AllocationsCreated}, "
                    + $"unauthorized {turn.Unauthorized}, malformed {turn.MalformedDropped}, relayed {turn.RelayedDatagrams}");
            }

            await Task.Delay(20);
        }
    }
}
